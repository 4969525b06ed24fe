package io.streamrec.train.arrays;

import io.streamrec.train.OptimizerKind;

/**
 * n bfloat16 values kept in ⌈n/2⌉ floats: value k of the first half = ⌈n/2⌉ in the low 16 bits of float k, value
 * half + k in its high 16 bits. A subnormal value (below 1.2e-38), which {@link OptimizerKind#bfloat16} leaves
 * with low bits set, is cut to its top 16 bits, so that it cannot spill into its neighbour. Paired this way, a SIMD register of packed floats holds two runs of consecutive
 * values, lane for lane with the parameters they belong to. The java engine keeps a row's factors' Adagrad
 * accumulators so ({@code trainer.adagrad-state=bfloat16}): 32 floats instead of 64 at d = 64.
 */
final class Bfloat16Pairs {
    private Bfloat16Pairs() {
    }

    /** Floats that hold n values. */
    static int floats(int n) {
        return (n + 1) >>> 1;
    }

    /** Writes the n values at {@code packed[po..)} as floats to {@code out[oo..oo+n)}. */
    static void unpack(float[] packed, int po, int n, float[] out, int oo) {
        int half = floats(n);
        for (int k = 0; k < half; k++) {
            int bits = Float.floatToRawIntBits(packed[po + k]);
            out[oo + k] = Float.intBitsToFloat(bits << 16);
            if (half + k < n) {
                out[oo + half + k] = Float.intBitsToFloat(bits & 0xFFFF0000);
            }
        }
    }

    /** Keeps {@code in[io..io+n)}, each rounded to {@link OptimizerKind#bfloat16}, at {@code packed[po..)}. */
    static void pack(float[] in, int io, int n, float[] packed, int po) {
        int half = floats(n);
        for (int k = 0; k < half; k++) {
            int low = Float.floatToRawIntBits(OptimizerKind.bfloat16(in[io + k])) >>> 16;
            int high = half + k < n ? Float.floatToRawIntBits(OptimizerKind.bfloat16(in[io + half + k])) & 0xFFFF0000 : 0;
            packed[po + k] = Float.intBitsToFloat(high | low);
        }
    }

    /**
     * {@link OptimizerKind#adagradBfloat16} on the pairs from {@code from} on (both values of a pair, its second
     * when there is one), with the accumulators packed at {@code acc[ao..)}.
     */
    static void adagrad(float[] w, int wo, float[] g, int go, float[] acc, int ao, int n, float lr, float decay,
                        int from) {
        int half = floats(n);
        for (int k = from; k < half; k++) {
            int bits = Float.floatToRawIntBits(acc[ao + k]);
            float low = OptimizerKind.adagradBfloat16(w, wo + k, g[go + k], Float.intBitsToFloat(bits << 16), lr, decay);
            float high = half + k < n ? OptimizerKind.adagradBfloat16(w, wo + half + k, g[go + half + k],
                    Float.intBitsToFloat(bits & 0xFFFF0000), lr, decay) : 0f;
            acc[ao + k] = Float.intBitsToFloat(Float.floatToRawIntBits(high) & 0xFFFF0000
                    | Float.floatToRawIntBits(low) >>> 16);
        }
    }
}
