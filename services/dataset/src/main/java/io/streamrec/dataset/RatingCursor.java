package io.streamrec.dataset;

/**
 * A forward-only pass over rating events in time order, one event at a time and without allocating: the shape
 * an in-memory {@link RatingLog} and a generated stream of any length share, so the replayer (and a trainer) can
 * take either. The accessors describe the current event and are valid after {@link #next()} returned true.
 */
public interface RatingCursor {

    /** Moves to the next event; false when the pass is over. */
    boolean next();

    long userId();

    long movieId();

    float rating();

    /** Event time, epoch milliseconds. */
    long timestamp();

    /** How many events the whole pass yields, or -1 when that is not known in advance. */
    long size();

    /**
     * The events of a reproducible random subset of users, each user kept with the given probability. The same
     * (user, seed) always gives the same answer, so this selects the same users as {@link RatingLog#sampleUsers}.
     */
    static RatingCursor sampleUsers(RatingCursor all, double fraction, long seed) {
        if (fraction >= 1) {
            return all;
        }
        return new RatingCursor() {
            @Override
            public boolean next() {
                while (all.next()) {
                    if (RatingLog.keepsUser(all.userId(), fraction, seed)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public long userId() {
                return all.userId();
            }

            @Override
            public long movieId() {
                return all.movieId();
            }

            @Override
            public float rating() {
                return all.rating();
            }

            @Override
            public long timestamp() {
                return all.timestamp();
            }

            @Override
            public long size() {
                return -1;
            }
        };
    }
}
