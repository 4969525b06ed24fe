package io.streamrec.train;

/**
 * Per-row optimizers for the embedding tables. Each row carries its own state (FACTORS.md), so a sparse step
 * touches only the rows of the batch and a snapshot can publish a row with exactly the state that resumes it.
 */
public enum OptimizerKind {
    /** Plain SGD, no state. */
    SGD,
    /** Adagrad: one running sum of squared gradients per parameter. */
    ADAGRAD,
    /**
     * Row-wise Adagrad (as in FBGEMM/TorchRec): one running mean of squared gradients per row. Half the state of
     * Adagrad and one square root per row instead of one per parameter.
     */
    ROWWISE_ADAGRAD,
    /** Lazy sparse Adam: a row's moments and its step count advance only when a batch touches it. */
    ADAM;

    public static final float EPSILON = 1e-8f;
    public static final float BETA1 = 0.9f;
    public static final float BETA2 = 0.999f;

    /** Optimizer-state floats per row of the given width. */
    public int stateWidth(int width) {
        return switch (this) {
            case SGD -> 0;
            case ADAGRAD -> width;
            case ROWWISE_ADAGRAD -> 1;
            case ADAM -> 2 * width + 1;
        };
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Applies one step to a row in place: {@code w[wOff..wOff+n)} with gradient {@code g[gOff..)} and state
     * {@code st[sOff..)}. The one implementation every engine's Java path and every dense tensor shares; the DJL
     * engine writes the same formulas with NDArray ops.
     */
    public void apply(float[] w, int wOff, float[] g, int gOff, float[] st, int sOff, int n, float lr) {
        switch (this) {
            case SGD -> {
                for (int k = 0; k < n; k++) {
                    w[wOff + k] -= lr * g[gOff + k];
                }
            }
            case ADAGRAD -> {
                for (int k = 0; k < n; k++) {
                    float gk = g[gOff + k];
                    float acc = st[sOff + k] + gk * gk;
                    st[sOff + k] = acc;
                    w[wOff + k] -= lr * gk / ((float) Math.sqrt(acc) + EPSILON);
                }
            }
            case ROWWISE_ADAGRAD -> {
                float sq = 0;
                for (int k = 0; k < n; k++) {
                    float gk = g[gOff + k];
                    sq += gk * gk;
                }
                float acc = st[sOff] + sq / n;
                st[sOff] = acc;
                float scale = lr / ((float) Math.sqrt(acc) + EPSILON);
                for (int k = 0; k < n; k++) {
                    w[wOff + k] -= scale * g[gOff + k];
                }
            }
            case ADAM -> {
                int tSlot = sOff + 2 * n;
                int t = Float.floatToRawIntBits(st[tSlot]) + 1;
                st[tSlot] = Float.intBitsToFloat(t);
                float c1 = 1 - (float) Math.pow(BETA1, t);
                float c2 = 1 - (float) Math.pow(BETA2, t);
                float stepSize = lr * (float) Math.sqrt(c2) / c1;
                for (int k = 0; k < n; k++) {
                    float gk = g[gOff + k];
                    float m = BETA1 * st[sOff + k] + (1 - BETA1) * gk;
                    float v = BETA2 * st[sOff + n + k] + (1 - BETA2) * gk * gk;
                    st[sOff + k] = m;
                    st[sOff + n + k] = v;
                    w[wOff + k] -= stepSize * m / ((float) Math.sqrt(v) + EPSILON * (float) Math.sqrt(c2));
                }
            }
        }
    }
}
