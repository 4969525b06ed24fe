package io.streamrec.contract;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class HalfFloatTest {

    @Test
    void everyHalfSurvivesTheRoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloat.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(HalfFloat.toFloat(HalfFloat.fromFloat(f)))).isTrue();
                continue;
            }
            assertThat(HalfFloat.fromFloat(f) & 0xFFFF).as("half %04x", h).isEqualTo(h);
        }
    }

    @Test
    void floatsRoundToTheNearestHalfTiesToEven() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 0; n < 200_000; n++) {
            float x = (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(-26, 17)));
            int h = HalfFloat.fromFloat(x) & 0xFFFF;
            if ((h & 0x7FFF) == 0x7C00) {
                assertThat(Math.abs(x)).as("only values from 65520 on overflow").isGreaterThanOrEqualTo(65520f);
                continue;
            }
            double error = Math.abs(HalfFloat.toFloat((short) h) - (double) x);
            for (int neighbour : new int[]{h - 1, h + 1}) {
                if ((neighbour & 0x7C00) == 0x7C00 || (neighbour & 0x8000) != (h & 0x8000)) {
                    continue;
                }
                double other = Math.abs(HalfFloat.toFloat((short) neighbour) - (double) x);
                assertThat(error).as("%s -> %04x, neighbour %04x", x, h, neighbour).isLessThanOrEqualTo(other);
                if (error == other) {
                    assertThat(h & 1).as("a tie goes to the even half").isZero();
                }
            }
        }
    }

    @Test
    void specialsAndRangeEnds() {
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(65504f))).isEqualTo(65504f);
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(-1e6f))).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(1e-9f))).isEqualTo(0f);
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(0x1p-24f))).isEqualTo(0x1p-24f);
        assertThat(Float.isNaN(HalfFloat.toFloat(HalfFloat.fromFloat(Float.NaN)))).isTrue();
        assertThat(HalfFloat.fromFloat(-0f) & 0xFFFF).isEqualTo(0x8000);
    }

    @Test
    void servingRowsDecodeToTheirHalves() {
        float[] params = {0.125f, -1.5f, 3.14159f, 1e-3f};
        FactorRow row = FactorRow.decode(FactorRow.Precision.FLOAT16.encode(7, 3, params, 0, params.length, new float[0], 0, 0));
        assertThat(row.modelVersion()).isEqualTo(7);
        assertThat(row.count()).isEqualTo(3);
        assertThat(row.state()).isEmpty();
        for (int k = 0; k < params.length; k++) {
            assertThat(row.params()[k]).isCloseTo(params[k], org.assertj.core.data.Offset.offset(Math.abs(params[k]) / 2048));
        }
    }
}
