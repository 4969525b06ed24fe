package io.streamrec.train;

/**
 * What a sample's target means and how the raw score {@code s} is turned into a prediction.
 * Both squash {@code s} with a sigmoid; the gradients are written here once so every engine uses the same maths.
 */
public enum Objective {
    /** Implicit feedback: target 1 for a rated item, 0 for a sampled negative; binary cross-entropy on σ(s). */
    IMPLICIT,
    /** Explicit ratings: prediction lo + (hi − lo)·σ(s), squared error against the stars (0 for negatives). */
    EXPLICIT;

    private static final double LN_2 = Math.log(2);

    /** Numerically stable σ. */
    public static float sigmoid(float s) {
        float e = (float) Math.exp(-Math.abs(s));
        return s >= 0 ? 1f / (1f + e) : e / (1f + e);
    }

    /** The prediction in target space: a probability (implicit) or stars (explicit). */
    public float predict(float s, float lo, float hi) {
        float p = sigmoid(s);
        return this == IMPLICIT ? p : lo + (hi - lo) * p;
    }

    /**
     * Loss of one sample: BCE written on the logit ({@code softplus(s) − y·s}, no log of 0) or squared error.
     */
    public float loss(float s, float target, float lo, float hi) {
        if (this == IMPLICIT) {
            float softplus = Math.max(s, 0f) + (float) Math.log(1 + Math.exp(-Math.abs(s)));
            return softplus - target * s;
        }
        float e = predict(s, lo, hi) - target;
        return e * e;
    }

    /**
     * The losses and gradients of n samples at once: {@code scores[j]} becomes {@code scale · dℓ/ds} of the sample
     * whose target is {@code targets[targetsFrom + j]}, exactly as {@link #gradient} gives it, and their summed loss
     * is returned. Implicit samples take one exp each, shared by σ and the softplus, and the softplus terms' logs are
     * summed as the log of their product (each factor in (1, 2], kept in range by exact powers of two): one log for
     * the batch, where a sample at a time took two exps and a log (9 % of the training thread in bench stream).
     */
    public double lossesToGradients(float[] scores, float[] targets, int targetsFrom, int n, float lo, float hi,
                                    float scale) {
        if (this == EXPLICIT) {
            double loss = 0;
            for (int j = 0; j < n; j++) {
                float s = scores[j];
                float y = targets[targetsFrom + j];
                loss += loss(s, y, lo, hi);
                scores[j] = gradient(s, y, lo, hi) * scale;
            }
            return loss;
        }
        double linear = 0;
        double product = 1;
        long twos = 0;
        for (int j = 0; j < n; j++) {
            float s = scores[j];
            float y = targets[targetsFrom + j];
            float e = (float) Math.exp(-Math.abs(s));
            float p = s >= 0 ? 1f / (1f + e) : e / (1f + e);
            scores[j] = (p - y) * scale;
            linear += Math.max(s, 0f) - y * s;
            product *= 1.0 + e;
            if (product > 0x1p512) {
                int x = Math.getExponent(product);
                twos += x;
                product = Math.scalb(product, -x);
            }
        }
        return linear + Math.log(product) + twos * LN_2;
    }

    /** d loss / d s of one sample. */
    public float gradient(float s, float target, float lo, float hi) {
        float p = sigmoid(s);
        if (this == IMPLICIT) {
            return p - target;
        }
        float e = lo + (hi - lo) * p - target;
        return 2 * e * (hi - lo) * p * (1 - p);
    }
}
