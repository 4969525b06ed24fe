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

    @Override
    public void dots(float[] query, byte[] block, int base, int n, float[] out) {
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
}
