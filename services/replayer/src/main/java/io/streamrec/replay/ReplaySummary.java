package io.streamrec.replay;

import io.streamrec.dataset.movielens.BadRows;

import java.util.List;

/**
 * What a replay did.
 *
 * @param source      the source's name
 * @param movies      movies acknowledged by the broker
 * @param events      ratings acknowledged by the broker
 * @param users       distinct users among the ratings sent
 * @param items       distinct movies among the ratings sent
 * @param badRows     rows skipped while reading the source
 * @param failed      sends the broker did not acknowledge (the replay fails when this is not zero)
 * @param unsent      ratings not sent because the replay stopped at the first failure
 * @param errors      the first few send errors
 * @param nanos       time spent sending ratings, flush included
 */
public record ReplaySummary(String source, long movies, long events, long users, long items, BadRows badRows,
                            long failed, long unsent, List<String> errors, long nanos) {

    private static final int BAD_ROWS_SHOWN = 10;

    public ReplaySummary {
        errors = List.copyOf(errors);
    }

    public boolean succeeded() {
        return failed == 0 && unsent == 0;
    }

    public double eventsPerSecond() {
        return nanos == 0 ? 0 : events * 1e9 / nanos;
    }

    /** The summary for people, several lines. */
    public String report() {
        StringBuilder sb = new StringBuilder()
                .append("replayed ").append(source).append('\n')
                .append(String.format("  ratings   %,d in %.1f s (%,.0f events/s)%n", events, nanos / 1e9, eventsPerSecond()))
                .append(String.format("  users     %,d%n", users))
                .append(String.format("  items     %,d%n", items))
                .append(String.format("  movies    %,d%n", movies))
                .append(String.format("  bad rows  %,d skipped%n", badRows.count()))
                .append(badRows.describe(BAD_ROWS_SHOWN));
        if (!succeeded()) {
            sb.append(String.format("  FAILED    %,d sends not acknowledged, %,d ratings not sent%n", failed, unsent));
            errors.forEach(e -> sb.append("    ").append(e).append('\n'));
        }
        return sb.toString();
    }
}
