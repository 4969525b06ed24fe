package io.streamrec.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MedianTest {
    @Test
    void theMiddleRoundOrTheMeanOfTheTwoMiddleOnes() {
        assertThat(Median.of(3, 1, 2)).isEqualTo(2);
        assertThat(Median.of(4, 1, 3, 2)).isEqualTo(2.5);
        assertThat(Median.of(7)).isEqualTo(7);
        double[] rounds = {5, 1, 9};
        Median.of(rounds);
        assertThat(rounds).containsExactly(5, 1, 9); // the caller's rounds stay in their order
        assertThatThrownBy(Median::of).isInstanceOf(IllegalArgumentException.class);
    }
}
