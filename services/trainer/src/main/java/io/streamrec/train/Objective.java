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
