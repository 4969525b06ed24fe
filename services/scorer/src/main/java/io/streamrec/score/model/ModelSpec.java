package io.streamrec.score.model;

import io.streamrec.contract.ModelKind;
import io.streamrec.contract.SnapshotManifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to score with the served snapshot: the model family and sizes from the manifest's {@code config}, and its
 * dense weights (schemas/FACTORS.md). Immutable; the global thread swaps in a new one per manifest.
 *
 * <p>Every model's score is {@code s = c(u) + f(u, item)} ranked as is; {@link #report} maps it to what the list
 * shows: the probability σ(s) (implicit) or the predicted rating lo + (hi − lo)·σ(s) (explicit).
 */
public final class ModelSpec {

    public final String model;
    public final long version;
    public final ModelKind kind;
    final boolean explicit;
    /** d: MF/GMF factors (the GMF part for neumf). */
    public final int dim;
    /** m: the MLP tower's embedding size (neumf); d for ncf-mlp; 0 otherwise. */
    final int mlpDim;
    final float ratingLow;
    final float ratingHigh;
    /** μ, added to every mf score. */
    final float globalOffset;
    /** The output layer's weights on the GMF product (gmf, neumf), else null. */
    final float[] gmfWeights;
    /** The MLP tower (ncf-mlp, neumf), else null. */
    final Tower tower;
    /** The output layer's weights on the tower's last layer (ncf-mlp, neumf), else null. */
    final float[] towerWeights;
    final float outBias;

    private ModelSpec(String model, long version, ModelKind kind, boolean explicit, int dim, int mlpDim, float ratingLow,
                      float ratingHigh, float globalOffset, float[] gmfWeights, Tower tower, float[] towerWeights,
                      float outBias) {
        this.model = model;
        this.version = version;
        this.kind = kind;
        this.explicit = explicit;
        this.dim = dim;
        this.mlpDim = mlpDim;
        this.ratingLow = ratingLow;
        this.ratingHigh = ratingHigh;
        this.globalOffset = globalOffset;
        this.gmfWeights = gmfWeights;
        this.tower = tower;
        this.towerWeights = towerWeights;
        this.outBias = outBias;
    }

    /** Parameters in a user or item row. */
    public int width() {
        return kind.rowWidth(dim, mlpDim);
    }

    /** True for the models whose score is linear in the user row (MF, GMF): the fast path, and ridge fold-in. */
    boolean linear() {
        return kind.linear();
    }

    /** Offset of the tower's embedding inside a row (ncf-mlp: 0; neumf: after the GMF factors). */
    int towerOffset() {
        return kind.towerOffset(dim);
    }

    /**
     * Parameters [0, w) of an item row that candidate retrieval's inner product reads: the linear part of the score
     * (mf: the factors and the bias; gmf and neumf: the GMF factors); 0 for ncf-mlp, which has none and is ranked by
     * full scans. (Its item embedding ranked by p·q found 3 % of the tower's top 10 on planted data, RetrievalTest:
     * no proxy at all.)
     */
    public int retrievalWidth() {
        return switch (kind) {
            case MF -> dim + 1;
            case GMF, NEUMF -> dim;
            case NCF_MLP -> 0;
        };
    }

    /**
     * The retrieval query of a user row, into {@code out} (length ≥ {@link #retrievalWidth()}): its inner product with
     * an item row's retrieval part is the linear part of the score less a constant per user. mf: [u; 1], so the item
     * bias counts; gmf and neumf: h ⊙ p.
     */
    public void retrievalQuery(float[] user, float[] out) {
        if (kind == ModelKind.MF) {
            System.arraycopy(user, 0, out, 0, dim);
            out[dim] = 1;
        } else {
            for (int k = 0; k < dim; k++) {
                out[k] = gmfWeights[k] * user[k];
            }
        }
    }

    /** Factors k-means groups users on: the row without mf's bias. */
    public int clusterWidth() {
        return kind.factorWidth(dim, mlpDim);
    }

    public double report(double score) {
        double p = sigmoid(score);
        return explicit ? ratingLow + (ratingHigh - ratingLow) * p : p;
    }

    /** The score whose {@link #report} is the given rating (explicit mode), clamped inside the sigmoid's range. */
    double scoreOfRating(double stars) {
        double p = (stars - ratingLow) / (ratingHigh - ratingLow);
        p = Math.min(0.99, Math.max(0.01, p));
        return Math.log(p / (1 - p));
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * The raw score of one (user row, item row) pair, with its gradient with respect to the user row, times
     * {@code scale}, added into {@code grad}. Ranking has its own batched kernels ({@link Ranker}); this is for the
     * fold-in's few hundred pairs. {@code scratch} is needed by the tower models only.
     */
    double scoreAndGradient(float[] user, float[] item, double scale, float[] grad, Tower.Scratch scratch) {
        switch (kind) {
            case MF -> {
                double s = user[dim] + item[dim] + globalOffset;
                for (int k = 0; k < dim; k++) {
                    s += user[k] * item[k];
                    grad[k] += (float) (scale * item[k]);
                }
                grad[dim] += (float) scale;
                return s;
            }
            case GMF -> {
                return outBias + gmf(user, item, scale, grad);
            }
            case NCF_MLP -> {
                return outBias + tower.scoreAndGradient(user, item, 0, towerWeights, scale, grad, scratch);
            }
            default -> {
                return outBias + gmf(user, item, scale, grad)
                        + tower.scoreAndGradient(user, item, dim, towerWeights, scale, grad, scratch);
            }
        }
    }

    private double gmf(float[] user, float[] item, double scale, float[] grad) {
        double s = 0;
        for (int k = 0; k < dim; k++) {
            float x = gmfWeights[k] * item[k];
            s += user[k] * x;
            grad[k] += (float) (scale * x);
        }
        return s;
    }

    /**
     * Reads a manifest.
     *
     * @throws IllegalArgumentException naming what is missing or inconsistent
     */
    public static ModelSpec of(SnapshotManifest manifest) {
        Map<String, Object> config = manifest.config();
        ModelKind kind = ModelKind.of(text(config, "model"));
        String objective = config.containsKey("objective") ? text(config, "objective") : "implicit";
        if (!objective.equals("implicit") && !objective.equals("explicit")) {
            throw new IllegalArgumentException("config.objective must be implicit or explicit, got " + objective);
        }
        boolean explicit = objective.equals("explicit");
        int dim = positive(config, "dim");
        int mlpDim = kind.towerDim(dim, kind == ModelKind.NEUMF ? positive(config, "mlpDim") : 0);
        float lo = 0;
        float hi = 1;
        if (explicit) {
            List<?> range = list(config, "ratingRange");
            if (range.size() != 2) {
                throw new IllegalArgumentException("config.ratingRange must be [lo, hi]");
            }
            lo = number(range.get(0), "ratingRange[0]").floatValue();
            hi = number(range.get(1), "ratingRange[1]").floatValue();
            if (!(hi > lo)) {
                throw new IllegalArgumentException("config.ratingRange must have lo < hi, got [" + lo + ", " + hi + "]");
            }
        }
        float mu = config.get("globalOffset") == null ? 0 : number(config.get("globalOffset"), "globalOffset").floatValue();
        Map<String, SnapshotManifest.DenseWeights> dense = manifest.dense();
        if (!kind.hasTower() && !kind.hasGmf()) {
            return new ModelSpec(manifest.model(), manifest.version(), kind, explicit, dim, 0, lo, hi, mu, null, null,
                    null, 0);
        }
        Tower tower = null;
        int towerOut = 0;
        if (kind.hasTower()) {
            tower = Tower.of(dense, 2 * mlpDim);
            towerOut = tower.outputWidth();
        }
        int gmfOut = kind.hasGmf() ? dim : 0;
        float[] out = weights(dense, "out.weight", 1, gmfOut + towerOut);
        float bias = weights(dense, "out.bias", 1)[0];
        float[] gmfWeights = gmfOut == 0 ? null : java.util.Arrays.copyOfRange(out, 0, gmfOut);
        float[] towerWeights = towerOut == 0 ? null : java.util.Arrays.copyOfRange(out, gmfOut, gmfOut + towerOut);
        return new ModelSpec(manifest.model(), manifest.version(), kind, explicit, dim, mlpDim, lo, hi, mu, gmfWeights,
                tower, towerWeights, bias);
    }

    /** Reads a dense tensor and checks its shape. */
    static float[] weights(Map<String, SnapshotManifest.DenseWeights> dense, String name, int... shape) {
        SnapshotManifest.DenseWeights w = dense.get(name);
        if (w == null) {
            throw new IllegalArgumentException("dense weight '" + name + "' is missing");
        }
        List<Integer> expected = new ArrayList<>();
        int size = 1;
        for (int s : shape) {
            expected.add(s);
            size *= s;
        }
        if (!w.shape().equals(expected)) {
            throw new IllegalArgumentException("dense weight '" + name + "' has shape " + w.shape() + ", expected " + expected);
        }
        float[] values = w.values();
        if (values.length != size) {
            throw new IllegalArgumentException("dense weight '" + name + "' holds " + values.length + " floats, its shape "
                    + expected + " needs " + size);
        }
        return values;
    }

    private static String text(Map<String, Object> config, String key) {
        Object v = config.get(key);
        if (!(v instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException("config." + key + " is missing or not a string");
        }
        return s;
    }

    private static int positive(Map<String, Object> config, String key) {
        Number n = number(config.get(key), key);
        if (n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1) {
            throw new IllegalArgumentException("config." + key + " must be a positive integer, got " + n);
        }
        return n.intValue();
    }

    private static List<?> list(Map<String, Object> config, String key) {
        if (!(config.get(key) instanceof List<?> l)) {
            throw new IllegalArgumentException("config." + key + " is missing or not a list");
        }
        return l;
    }

    private static Number number(Object v, String what) {
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("config." + what + " is missing or not a number");
        }
        return n;
    }
}
