package io.streamrec.kernel;

/**
 * Σ a[ao+k]·b[bo+k] for k &lt; n: the inner product of two float rows, the trainer's and the scorer's innermost
 * loop. Two implementations with the same maths: {@link ScalarInnerProduct}, four partial sums (C2 does not
 * vectorise one float sum), and {@link VectorInnerProduct}, fused multiply-adds through the JDK's incubating Vector
 * API (16 lanes with AVX-512), which needs {@code --add-modules jdk.incubator.vector} (the launchers, the tests and
 * the images pass it). Sums come out in a different order, so the two agree to rounding, not bit for bit.
 */
public interface InnerProduct {

    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** The fastest implementation this JVM can run. */
    static InnerProduct best() {
        return VectorApi.fastest(InnerProduct.class, "io.streamrec.kernel.VectorInnerProduct", ScalarInnerProduct::new);
    }
}
