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

    /**
     * Optimizer-state floats of n parameters, laid out as FACTORS.md says and every engine stores it: the moments
     * ({@link #momentWidth}: Adagrad's sums of squares, row-wise Adagrad's one mean square, Adam's first moments then
     * its second moments), then Adam's step count as the bits of an int. The one place this layout is written.
     */
    public int stateWidth(int n) {
        return momentWidth(n) + (countsSteps() ? 1 : 0);
    }

    /** State floats of n parameters that are moments: everything but Adam's step count. */
    public int momentWidth(int n) {
        return switch (this) {
            case SGD -> 0;
            case ADAGRAD -> n;
            case ROWWISE_ADAGRAD -> 1;
            case ADAM -> 2 * n;
        };
    }

    /** Where each moment vector of n parameters starts in their state: Adagrad {0}, Adam {0, n}, SGD none. */
    public int[] momentOffsets(int n) {
        return switch (this) {
            case SGD, ROWWISE_ADAGRAD -> new int[0];
            case ADAGRAD -> new int[]{0};
            case ADAM -> new int[]{0, n};
        };
    }

    /** Whether the state ends with a step count (Adam's bias corrections need it). */
    public boolean countsSteps() {
        return this == ADAM;
    }

    /** The step count in the state of n parameters at {@code off}. */
    public int steps(float[] state, int off, int n) {
        return Float.floatToRawIntBits(state[off + momentWidth(n)]);
    }

    public void setSteps(float[] state, int off, int n, int steps) {
        state[off + momentWidth(n)] = Float.intBitsToFloat(steps);
    }

    /**
     * The state of parameters [from, from + size) of a vector of {@code total} parameters, from the whole vector's
     * state: each moment's slice, then the shared step count. (Row-wise Adagrad has no per-parameter state.)
     */
    public float[] slice(float[] whole, int total, int from, int size) {
        float[] part = new float[stateWidth(size)];
        int[] wholeOffsets = momentOffsets(total);
        int[] partOffsets = momentOffsets(size);
        for (int m = 0; m < partOffsets.length; m++) {
            System.arraycopy(whole, wholeOffsets[m] + from, part, partOffsets[m], size);
        }
        if (countsSteps()) {
            setSteps(part, 0, size, steps(whole, 0, total));
        }
        return part;
    }

    /** The inverse of {@link #slice}: writes a part's state into the whole vector's, its step count included. */
    public void place(float[] part, int size, float[] whole, int total, int from) {
        int[] wholeOffsets = momentOffsets(total);
        int[] partOffsets = momentOffsets(size);
        for (int m = 0; m < partOffsets.length; m++) {
            System.arraycopy(part, partOffsets[m], whole, wholeOffsets[m] + from, size);
        }
        if (countsSteps()) {
            setSteps(whole, 0, total, steps(part, 0, size));
        }
    }

    /** Veltkamp's splitter for float32's 24-bit significand: 2^16 + 1 keeps the top 8 bits, bfloat16's. */
    public static final float BFLOAT16_SPLITTER = 65537f;

    /**
     * x rounded to bfloat16's 8 significant bits, as a float whose low 16 bits are zero: Veltkamp's split,
     * {@code c = x·(2^16 + 1); c − (c − x)}, which rounds to nearest, ties to even. Plain float arithmetic rather than
     * a conversion, so that every engine and device computes the same bits: the djl engine runs the same operations
     * on its arrays. What an Adagrad factor accumulator becomes after each step under
     * {@code trainer.adagrad-state=bfloat16}. For normal x below about 5e33 (c overflows above; a subnormal x keeps
     * some of its low bits), as accumulators are.
     */
    public static float bfloat16(float x) {
        float c = x * BFLOAT16_SPLITTER;
        return c - (c - x);
    }

    /**
     * One parameter's Adagrad step ({@link #apply} with a decay) with its accumulator kept to {@link #bfloat16}:
     * updates {@code w[at]} with gradient g and returns the new accumulator, rounded before the step uses it.
     */
    public static float adagradBfloat16(float[] w, int at, float g, float accumulator, float lr, float decay) {
        float rounded = bfloat16(decay * accumulator + g * g);
        w[at] -= lr * g / ((float) Math.sqrt(rounded) + EPSILON);
        return rounded;
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
        apply(w, wOff, g, gOff, st, sOff, n, lr, 1f);
    }

    /**
     * {@link #apply} with Adagrad's accumulated squares first multiplied by {@code decay} (1 = classic Adagrad; below
     * 1 the step size stops shrinking for good, RMSProp-like). SGD and Adam ignore it.
     */
    public void apply(float[] w, int wOff, float[] g, int gOff, float[] st, int sOff, int n, float lr, float decay) {
        switch (this) {
            case SGD -> {
                for (int k = 0; k < n; k++) {
                    w[wOff + k] -= lr * g[gOff + k];
                }
            }
            case ADAGRAD -> {
                for (int k = 0; k < n; k++) {
                    float gk = g[gOff + k];
                    float acc = decay * st[sOff + k] + gk * gk;
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
                float acc = decay * st[sOff] + sq / n;
                st[sOff] = acc;
                float scale = lr / ((float) Math.sqrt(acc) + EPSILON);
                for (int k = 0; k < n; k++) {
                    w[wOff + k] -= scale * g[gOff + k];
                }
            }
            case ADAM -> {
                int t = steps(st, sOff, n) + 1;
                setSteps(st, sOff, n, t);
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
