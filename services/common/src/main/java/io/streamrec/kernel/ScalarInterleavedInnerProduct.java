package io.streamrec.kernel;

/** {@link InterleavedInnerProduct} in plain loops over blocks of eight rows; C2 may vectorise the inner loop. */
public final class ScalarInterleavedInnerProduct implements InterleavedInnerProduct {
    private static final int LANES = 8;

    @Override
    public int lanes() {
        return LANES;
    }

    @Override
    public void dots(float[] query, float[] block, int base, int n, float[] out) {
        for (int l = 0; l < LANES; l++) {
            out[l] = 0;
        }
        for (int k = 0; k < n; k++) {
            float q = query[k];
            int at = base + k * LANES;
            for (int l = 0; l < LANES; l++) {
                out[l] += q * block[at + l];
            }
        }
    }

    /** Widens the codes and runs the float loop: the path of JVMs without the Vector API, kept simple. */
    @Override
    public void dots(float[] query, byte[] block, int base, int n, float[] out) {
        float[] widened = new float[n * LANES];
        for (int i = 0; i < widened.length; i++) {
            widened[i] = block[base + i];
        }
        dots(query, widened, 0, n, out);
    }
}
