package io.streamrec.evaluate;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The running evaluation's bound on rankings a second, on a clock the test moves. */
class SampleBudgetTest {
    private static final long MS = 1_000_000L;

    @Test
    void aFastStreamIsThinnedToTheBoundAndASlowOneIsNot() {
        AtomicLong now = new AtomicLong(0);
        SampleBudget budget = new SampleBudget(1_000, 0.01, now::get);
        // 700,000 positives a second in batches of 2,000 every 2.857 ms: a 1 % sample would rank 7,000 a second.
        double ranked = 0;
        for (int second = 0; second < 3; second++) {
            double rankedThisSecond = 0;
            for (int b = 0; b < 350; b++) {
                rankedThisSecond += 0.01 * budget.share(2_000) * 2_000;
                now.addAndGet(1_000 * MS / 350);
            }
            if (second == 0) {
                assertThat(rankedThisSecond).as("the first second, before any rate is known").isCloseTo(7_000, within(1.0));
            } else {
                assertThat(rankedThisSecond).as("second %d", second).isCloseTo(1_000, within(20.0));
            }
            ranked += rankedThisSecond;
        }
        assertThat(ranked).isCloseTo(9_000, within(40.0));

        // The stream slows to 10,000 a second: 100 rankings a second, under the bound, so the full sample again.
        for (int b = 0; b < 20; b++) {
            budget.share(1_000);
            now.addAndGet(100 * MS);
        }
        assertThat(budget.share(1_000)).isEqualTo(1.0);
    }

    @Test
    void noBoundMeansTheFullSampleWithoutReadingTheClock() {
        SampleBudget budget = new SampleBudget(0, 1.0, () -> {
            throw new AssertionError("the evaluate protocols must not depend on time");
        });
        assertThat(budget.share(1_000_000)).isEqualTo(1.0);
    }
}
