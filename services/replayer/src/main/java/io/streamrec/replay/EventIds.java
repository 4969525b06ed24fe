package io.streamrec.replay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The replayer's {@code eventId}s: a function of the source and the event alone, so a replay of the same data gives
 * every rating the same id in any run, on any machine, and a consumer can recognise a rating it has seen (the same
 * rating sent twice, by a retried or restarted replay).
 *
 * <p>{@code eventId} = the first 32 hex digits (128 bits) of SHA-256 over the UTF-8 text
 * {@code <dataset>|<userId>|<movieId>|<timestamp>}, for example {@code ml-latest-small|1|1|964982703000}. The
 * dataset is the source's name without where it was read from or which users were sampled ({@code ml-latest-small},
 * {@code synthetic-610-9742-100836-20-42}), so a sample's events keep the ids they have in the whole. The stars are
 * not part of it: one user rating one movie at one millisecond is one event. Any language reproduces it
 * ({@code printf 'ml-latest-small|1|1|964982703000' | sha256sum | cut -c1-32}).
 *
 * <p>Not thread-safe: one per replay.
 */
public final class EventIds {
    private final byte[] prefix;
    private final MessageDigest sha256;
    private final StringBuilder text = new StringBuilder(64);

    public EventIds(String dataset) {
        this.prefix = (dataset + "|").getBytes(StandardCharsets.UTF_8);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The event's id, 32 lower-case hex digits. */
    public String of(long userId, long movieId, long timestamp) {
        text.setLength(0);
        text.append(userId).append('|').append(movieId).append('|').append(timestamp);
        sha256.update(prefix);
        sha256.update(text.toString().getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(sha256.digest(), 0, 16);
    }
}
