package io.streamrec.contract;

/**
 * A rating event, the value of topic {@code ratings} (schema {@code rating.schema.json}).
 *
 * @param userId    positive user id; the record key is its decimal string
 * @param movieId   positive movie id
 * @param rating    0.5 to 5.0 stars in half steps
 * @param timestamp event time, epoch milliseconds
 * @param eventId   optional producer-assigned id, or null
 */
public record Rating(long userId, long movieId, float rating, long timestamp, String eventId) {

    public Rating(long userId, long movieId, float rating, long timestamp) {
        this(userId, movieId, rating, timestamp, null);
    }

    /** The record key the contract requires: userId as a decimal string. */
    public String key() {
        return Long.toString(userId);
    }
}
