package io.streamrec.kernel;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Both implementations, over float and int8 blocks, against a plain sum in double, on blocks at an offset, with
 * widths no register divides.
 */
class InterleavedInnerProductTest {

    @Test
    void bothImplementationsGiveEveryRowsInnerProductWithTheQuery() {
        if (FloatVector.SPECIES_PREFERRED.length() >= 8) { // narrower registers have no byte shape to widen from
            assertThat(InterleavedInnerProduct.best()).as("the tests run with jdk.incubator.vector")
                    .isInstanceOf(VectorInterleavedInnerProduct.class);
        }
        SplittableRandom random = new SplittableRandom(3);
        // Widths below, at and past the four accumulators' stride, with every remainder.
        for (int width : new int[]{1, 2, 3, 4, 5, 6, 7, 9, 64, 65}) {
            for (InterleavedInnerProduct kernel : List.of(InterleavedInnerProduct.best(),
                    new ScalarInterleavedInnerProduct())) {
                check(kernel, width, random);
            }
        }
    }

    private static void check(InterleavedInnerProduct kernel, int width, SplittableRandom random) {
        int lanes = kernel.lanes();
        float[] query = new float[width];
        for (int k = 0; k < width; k++) {
            query[k] = (float) random.nextGaussian();
        }
        int blocks = 3;
        float[][] rows = new float[blocks * lanes][width];
        float[] stored = new float[blocks * lanes * width];
        byte[] codes = new byte[blocks * lanes * width];
        for (int r = 0; r < rows.length; r++) {
            for (int k = 0; k < width; k++) {
                byte code = (byte) (random.nextInt(255) - 127);
                rows[r][k] = code; // an int8 code, so both layouts hold the same row exactly
                stored[r / lanes * lanes * width + k * lanes + r % lanes] = code;
                codes[r / lanes * lanes * width + k * lanes + r % lanes] = code;
            }
        }
        float[] out = new float[lanes];
        float[] fromCodes = new float[lanes];
        for (int b = 0; b < blocks; b++) {
            kernel.dots(query, stored, b * lanes * width, width, out);
            kernel.dots(query, codes, b * lanes * width, width, fromCodes);
            for (int l = 0; l < lanes; l++) {
                double expected = 0;
                for (int k = 0; k < width; k++) {
                    expected += (double) query[k] * rows[b * lanes + l][k];
                }
                String what = kernel.getClass().getSimpleName() + ", width " + width + ", block " + b + ", row " + l;
                assertThat((double) out[l]).as(what).isCloseTo(expected, within(1e-4 * (1 + Math.abs(expected))));
                assertThat((double) fromCodes[l]).as(what + ", int8")
                        .isCloseTo(expected, within(1e-4 * (1 + Math.abs(expected))));
            }
        }
    }
}
