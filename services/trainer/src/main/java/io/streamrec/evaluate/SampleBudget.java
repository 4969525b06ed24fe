package io.streamrec.evaluate;

import java.util.function.LongSupplier;

/**
 * Bounds what the running evaluation costs a second, however fast ratings come: it thins the prequential sample
 * and the catalogue sample alike so that about {@code maxRankingsPerSecond} positives a second are ranked, of both
 * kinds together. A trainer catching up on a backlog at 700k ratings/s would otherwise rank 7,000 a second at a 1 %
 * sample, a tenth of its training thread, to fill a moving window that 1,000 a second fill too (docs/architecture.md,
 * the training thread's profile). The share kept in each second is set from the rate of the second before, so
 * within a second the sample stays uniform over the stream; the first second, and the first second of a surge, are
 * not thinned.
 */
final class SampleBudget {
    private static final long SECOND = 1_000_000_000L;

    private final double maxRankingsPerSecond;
    private final double rankedShare;
    private final LongSupplier nanoClock;
    private long secondStart;
    private long positivesThisSecond = -1;
    private double share = 1;

    /**
     * @param maxRankingsPerSecond 0 for no bound (the {@code evaluate} protocols: results depend on the seed only)
     * @param rankedShare          the fraction of positives ranked while the bound is not reached, both kinds
     */
    SampleBudget(double maxRankingsPerSecond, double rankedShare, LongSupplier nanoClock) {
        this.maxRankingsPerSecond = maxRankingsPerSecond;
        this.rankedShare = rankedShare;
        this.nanoClock = nanoClock;
    }

    /** The share of the sample rates to apply to a batch of {@code positives} about to be evaluated: 1 unless bounded. */
    double share(int positives) {
        if (maxRankingsPerSecond <= 0) {
            return 1;
        }
        long now = nanoClock.getAsLong();
        if (positivesThisSecond < 0) {
            secondStart = now;
            positivesThisSecond = 0;
        }
        long elapsed = now - secondStart;
        if (elapsed >= SECOND) {
            double wanted = rankedShare * positivesThisSecond * SECOND / elapsed; // rankings a second, unbounded
            share = wanted <= maxRankingsPerSecond ? 1 : maxRankingsPerSecond / wanted;
            secondStart = now;
            positivesThisSecond = 0;
        }
        positivesThisSecond += positives;
        return share;
    }
}
