package io.streamrec.dataset.synthetic;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AliasTableTest {
    @Test
    void drawsEachIndexInProportionToItsWeight() {
        double[] weights = {5, 0, 1, 3, 0.5, 0.5};
        AliasTable table = new AliasTable(weights);
        long[] counts = new long[weights.length];
        SplittableRandom random = new SplittableRandom(3);
        int n = 1_000_000;
        for (int i = 0; i < n; i++) {
            counts[table.sample(random)]++;
        }
        for (int i = 0; i < weights.length; i++) {
            assertThat(counts[i] / (double) n).as("index " + i).isCloseTo(weights[i] / 10, within(0.003));
        }
        assertThat(counts[1]).isZero();
    }

    @Test
    void refusesWeightsItCannotDrawFrom() {
        assertThatThrownBy(() -> new AliasTable(new double[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AliasTable(new double[]{0, 0})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AliasTable(new double[]{1, Double.NaN})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AliasTable(new double[]{1, -1})).isInstanceOf(IllegalArgumentException.class);
    }
}
