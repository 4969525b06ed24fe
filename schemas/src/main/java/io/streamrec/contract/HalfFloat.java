package io.streamrec.contract;

/**
 * IEEE 754 binary16 ("half") conversions, for the parameters of serving rows (FACTORS.md, flag bit 1): half the
 * bytes of float32 with an 11-bit significand, a relative rounding error of at most 2^-11 (0.05 %) over
 * 6.1e-5 .. 65504, which scoring with embeddings of magnitude 0.01 .. 10 never leaves. Java 17 has no
 * {@code Float.floatToFloat16} (it arrived in Java 20), hence these few lines. Rounds to nearest, ties to even;
 * overflow goes to infinity, tiny values to subnormals or zero, NaN stays NaN.
 */
public final class HalfFloat {
    private HalfFloat() {
    }

    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            int m = mantissa | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (rest > midpoint || rest == midpoint && (half & 1) != 0) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || rest == 0x1000 && (half & 1) != 0) {
            half++;
        }
        return (short) (sign | half);
    }

    public static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            return (sign != 0 ? -1 : 1) * mantissa * 0x1p-24f;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
