package io.streamrec.replay;

/** A replay that lost events: some sends were not acknowledged. The summary says how many and why. */
public final class ReplayFailedException extends RuntimeException {
    private final transient ReplaySummary summary;

    public ReplayFailedException(ReplaySummary summary) {
        super(String.format("%,d sends failed and %,d ratings were not sent; first error: %s", summary.failed(),
                summary.unsent(), summary.errors().isEmpty() ? "none recorded" : summary.errors().get(0)));
        this.summary = summary;
    }

    public ReplaySummary summary() {
        return summary;
    }
}
