package io.streamrec.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link InnerProduct} with SIMD fused multiply-adds, whole registers at a time; the tail shorter than a register
 * runs as a plain loop. Load it only when the JVM has {@code jdk.incubator.vector} ({@link InnerProduct#best()}).
 */
public final class VectorInnerProduct implements InnerProduct {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int k = 0;
        for (int bound = S.loopBound(n); k < bound; k += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + k).fma(FloatVector.fromArray(S, b, bo + k), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
            s += a[ao + k] * b[bo + k];
        }
        return s;
    }
}
