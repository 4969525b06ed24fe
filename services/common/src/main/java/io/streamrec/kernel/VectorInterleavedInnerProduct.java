package io.streamrec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link InterleavedInnerProduct} with one register of rows per block: a broadcast and a fused multiply-add per
 * parameter. Load it only when the JVM has {@code jdk.incubator.vector} ({@link InterleavedInnerProduct#best()}).
 */
final class VectorInterleavedInnerProduct implements InterleavedInnerProduct {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public int lanes() {
        return S.length();
    }

    @Override
    public void dots(float[] query, float[] block, int base, int n, float[] out) {
        FloatVector acc = FloatVector.zero(S);
        int step = S.length();
        for (int k = 0; k < n; k++) {
            acc = FloatVector.fromArray(S, block, base + k * step).fma(FloatVector.broadcast(S, query[k]), acc);
        }
        acc.intoArray(out, 0);
    }
}
