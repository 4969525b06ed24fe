package io.streamrec.score.model;

import io.streamrec.kernel.InnerProduct;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Folds a user's latest ratings into a user row on the spot, holding the item side fixed: what the trainer would
 * do to this user's row, without waiting for its next snapshot. One per thread (scratch buffers).
 *
 * <p>{@link Method#GRADIENT} (the default) takes full-batch gradient steps on the trainer's own loss, starting
 * from the user's snapshot row (or zeros for a user the model has not trained): implicit mode, BCE of each
 * rated item against uniformly sampled negatives (never a rated item), drawn afresh for each fold-in and kept
 * for its steps; explicit mode, the squared error of lo + (hi − lo)·σ(s) against the stars. An L2 pull towards
 * the starting row keeps the old taste. The step size
 * is lr / L with L = 0.25·mean‖∂s/∂u‖² + l2, a bound on the logistic loss's curvature, so the steps neither
 * crawl nor diverge whatever the scale of the item factors. It works for every model (through the tower for
 * ncf-mlp and neumf), and because it pushes against negatives it both raises what is like the new ratings and
 * lowers the rest, on the same score scale as the trained rows (item biases keep their weight).
 *
 * <p>{@link Method#RIDGE} (MF and GMF only; the others fall back to gradient steps) solves
 * min ‖t − s(u)‖² + n·l2·‖u − u₀‖² in closed form over the rated items, targets t the logit of
 * {@code ridge-target} (implicit) or of the stars' place in the rating range (explicit). It has no negatives,
 * so in implicit mode it only learns what to raise.
 *
 * <p>Which is better, measured on ml-latest-small (an implicit MF, d = 32, trained offline on all but each user's
 * latest rating; HR@10 of that rating among 100 candidates): gradient steps from the user's last 3 ratings 0.71,
 * last 10 0.72, all of them 0.70, the trained rows themselves 0.69; ridge at its better regularisation (l2 0.05)
 * 0.65, 0.66, 0.65; popularity (docs/findings.md) 0.60. Fresh negatives at every step instead of once per fold-in scored
 * the same (0.72, 0.72, 0.70) but need a gather per step; 16 or 32 negatives per rating scored lower. The
 * planted-structure test ({@code FoldInTest}) prints its own comparison.
 *
 * <p>Cost: the item matrix is parameter-major, so reading one item's row touches {@code width} arrays. The
 * samples' rows are gathered once per fold-in into contiguous scratch and the steps run on those; for MF and GMF
 * they become fixed features, one row per sample, and the steps run on the row or, for few samples, in their space
 * ({@link #linearGradient}). Measured at 9.7k items, folding in 100 ratings: 4.5 ms reading the matrix at every
 * step, 1.7 ms gathered, under 0.3 ms with the linear path; 20 ratings with their negatives 136 µs, 10 (the
 * scorer's cap, {@code Recommender}) 68 µs, and one new rating with its negatives 5.6 µs.
 */
public final class FoldIn {
    private static final InnerProduct DOT = InnerProduct.best();

    public enum Method { GRADIENT, RIDGE }

    private final Method method;
    private final int steps;
    private final double learningRate;
    private final double l2;
    private final int negatives;
    private final double ridgeTarget;
    private long[] ratedBits = new long[0];
    /** The samples of one fold-in, their item rows gathered contiguously once: the matrix is parameter-major. */
    private float[][] rows = new float[0][];
    private float[] targets = new float[0];
    private float[] offsets = new float[0];
    /** Linear models: features[i] = ∂s/∂u of sample i, which does not depend on u. */
    private float[][] features = new float[0][0];
    /** Linear models: each sample's score at u0, its loss slope, its weight in u − u0, and the features' Gram matrix. */
    private float[] scores = new float[0];
    private float[] slopes = new float[0];
    private float[] weights = new float[0];
    private float[][] gram = new float[0][0];
    private float[] x = new float[0];
    private float[] grad = new float[0];
    private Tower.Scratch towerScratch;

    public FoldIn(Method method, int steps, double learningRate, double l2, int negatives, double ridgeTarget) {
        this.method = method;
        this.steps = steps;
        this.learningRate = learningRate;
        this.l2 = l2;
        this.negatives = negatives;
        this.ridgeTarget = ridgeTarget;
    }

    /** The method a model gets: ridge needs a score linear in the user row. */
    public Method methodFor(ModelSpec spec) {
        return method == Method.RIDGE && spec.linear() ? Method.RIDGE : Method.GRADIENT;
    }

    /**
     * @param start  the row to start from (the user's snapshot row), or null for a user the model has not trained
     * @param items  indices of the rated items to fold in (each with a live row); stars their ratings
     * @param rated  indices of every item the user rated, never drawn as negatives
     * @param seed   seeds the negatives, so a fold-in is reproducible
     * @return the folded user row, of the spec's width
     */
    public float[] fold(ModelSpec spec, ItemFactors.Table t, float[] start, int[] items, float[] stars, int count,
                 int[] rated, int ratedCount, long seed) {
        int w = spec.width();
        float[] u = start == null ? new float[w] : start.clone();
        if (count == 0) {
            return u;
        }
        if (x.length != w) {
            x = new float[w];
            grad = new float[w];
        }
        if (spec.tower != null && (towerScratch == null || !towerScratch.fits(spec.tower))) {
            towerScratch = new Tower.Scratch(spec.tower);
        }
        boolean ridge = methodFor(spec) == Method.RIDGE;
        int samples = gather(spec, t, items, stars, count, ridge || spec.explicit ? 0 : negatives, rated, ratedCount, seed);
        return ridge ? ridge(spec, u, samples) : gradient(spec, u, samples);
    }

    /**
     * Gathers the positives' rows, then {@code perPositive} negatives per positive (uniform over live unrated
     * items), drawn once so that every step descends the same objective. Returns the number of samples.
     */
    private int gather(ModelSpec spec, ItemFactors.Table t, int[] items, float[] stars, int count, int perPositive,
                       int[] rated, int ratedCount, long seed) {
        int w = spec.width();
        int most = count * (1 + perPositive);
        if (rows.length < most || (rows.length > 0 && rows[0].length != w)) {
            rows = new float[Math.max(most, rows.length)][w];
            targets = new float[rows.length];
        }
        for (int p = 0; p < count; p++) {
            t.row(items[p], rows[p]);
            targets[p] = spec.explicit ? stars[p] : 1f;
        }
        int n = count;
        if (perPositive > 0) {
            int size = t.size();
            markRated(rated, ratedCount, size, true);
            SplittableRandom random = new SplittableRandom(seed);
            for (int q = 0; q < count * perPositive; q++) {
                int neg = negative(random, t, size);
                if (neg < 0) {
                    break;
                }
                t.row(neg, rows[n]);
                targets[n++] = 0f;
            }
            markRated(rated, ratedCount, size, false);
        }
        return n;
    }

    private float[] gradient(ModelSpec spec, float[] u, int samples) {
        double range = spec.ratingHigh - spec.ratingLow;
        double curvature = spec.explicit ? 0.25 * range * range : 0.25;
        if (spec.linear()) {
            return linearGradient(spec, u, samples, range, curvature);
        }
        int w = u.length;
        float[] u0 = u.clone();
        for (int step = 0; step < steps; step++) {
            double sumSquares = 0;
            Arrays.fill(grad, 0f);
            for (int i = 0; i < samples; i++) {
                Arrays.fill(x, 0f);
                double s = spec.scoreAndGradient(u, rows[i], 1.0, x, towerScratch);
                float g = (float) lossSlope(spec, range, s, targets[i]);
                for (int k = 0; k < w; k++) {
                    grad[k] += g * x[k];
                    sumSquares += (double) x[k] * x[k];
                }
            }
            double stepSize = learningRate / (curvature * sumSquares / samples + l2 + 1e-9);
            for (int k = 0; k < w; k++) {
                double gk = grad[k] / samples + l2 * (u[k] - u0[k]);
                u[k] -= (float) (stepSize * gk);
            }
        }
        return u;
    }

    /**
     * The same steps for MF and GMF, whose score is s = offsets + F·u with the features F (∂s/∂u of each sample)
     * fixed: the step size is constant (the features' squared norms do not change), and the steps run on whichever
     * side is cheaper ({@link #inSamplesSpace}). On the row, a step costs 2·n·w (n samples, w parameters). In the
     * space of the samples, a step costs n²: a step's gradient F·slopes / n + l2·(u − u0) lies in the span of the
     * features once u − u0 does, and u starts at u0, so u = u0 + Fᵀ·a with one weight a_i per sample, and
     * s = F·u0 + offsets + (F·Fᵀ)·a, after a Gram matrix of n²·w / 2. The iterates are the same up to float rounding
     * (FoldInTest compares both with steps taken on the row). Most fold-ins take the ratings a row does not reflect
     * yet, one to a few, with their negatives. Measured (mf, d = 64, 9,742 items, 30 steps), before against after:
     * 5 samples 29 against 5.6 µs, 15 samples 38 against 18.5 µs; 100 samples (20 ratings) took 165 µs in the
     * samples' space, so they step on the row: 144 against 136 µs.
     */
    private float[] linearGradient(ModelSpec spec, float[] u, int samples, double range, double curvature) {
        int w = u.length;
        double stepSize = learningRate / (curvature * toFeatures(spec, samples) / samples + l2 + 1e-9);
        if (!inSamplesSpace(samples, w, steps)) {
            return stepsOnTheRow(spec, u, samples, range, stepSize);
        }
        // Sized here, past the cost check: below it samples stays under 2·steps (about 60).
        if (gram.length < samples) {
            weights = new float[samples];
            scores = new float[samples];
            gram = new float[samples][samples];
        }
        for (int i = 0; i < samples; i++) {
            scores[i] = offsets[i] + DOT.dot(u, 0, features[i], 0, w);
            weights[i] = 0f;
            for (int j = 0; j <= i; j++) {
                float g = DOT.dot(features[i], 0, features[j], 0, w);
                gram[i][j] = g;
                gram[j][i] = g;
            }
        }
        float shrink = (float) (1 - stepSize * l2);
        float rate = (float) (stepSize / samples);
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < samples; i++) {
                slopes[i] = (float) lossSlope(spec, range, scores[i] + DOT.dot(gram[i], 0, weights, 0, samples), targets[i]);
            }
            for (int i = 0; i < samples; i++) {
                weights[i] = weights[i] * shrink - rate * slopes[i];
            }
        }
        for (int i = 0; i < samples; i++) {
            float a = weights[i];
            float[] f = features[i];
            for (int k = 0; k < w; k++) {
                u[k] += a * f[k];
            }
        }
        return u;
    }

    /**
     * Whether the linear steps of {@code samples} samples over {@code w} parameters are cheaper in the samples'
     * space (the Gram matrix, n·w / 2 per sample, then n per sample and step) than on the row (2·w per sample and
     * step): below 63 samples for mf at d = 64 and 30 steps.
     */
    static boolean inSamplesSpace(int samples, int w, int steps) {
        return (long) samples * (w / 2 + steps) < 2L * steps * w;
    }

    private float[] stepsOnTheRow(ModelSpec spec, float[] u, int samples, double range, double stepSize) {
        int w = u.length;
        float[] u0 = u.clone();
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < samples; i++) {
                slopes[i] = (float) lossSlope(spec, range, offsets[i] + DOT.dot(u, 0, features[i], 0, w), targets[i]);
            }
            Arrays.fill(grad, 0f);
            for (int i = 0; i < samples; i++) {
                float slope = slopes[i];
                float[] f = features[i];
                for (int k = 0; k < w; k++) {
                    grad[k] += slope * f[k];
                }
            }
            for (int k = 0; k < w; k++) {
                double gk = grad[k] / samples + l2 * (u[k] - u0[k]);
                u[k] -= (float) (stepSize * gk);
            }
        }
        return u;
    }

    /** d loss / d score of one sample: BCE against 1 or 0 (implicit), squared error of the scaled σ (explicit). */
    private static double lossSlope(ModelSpec spec, double range, double score, float target) {
        double p = ModelSpec.sigmoid(score);
        return spec.explicit ? (spec.ratingLow + range * p - target) * range * p * (1 - p) : p - target;
    }

    /**
     * Linear models: turns each gathered item row into ∂s/∂u (which does not depend on u), one row per sample in
     * {@link #features}, and its constant part of the score into {@link #offsets}; returns the sum of the
     * features' squared norms.
     */
    private double toFeatures(ModelSpec spec, int samples) {
        int w = spec.width();
        if (offsets.length < samples) {
            offsets = new float[rows.length];
            slopes = new float[rows.length];
        }
        if (features.length < samples || (features.length > 0 && features[0].length != w)) {
            features = new float[rows.length][w];
        }
        float[] zero = new float[w];
        double squares = 0;
        for (int i = 0; i < samples; i++) {
            float[] f = features[i];
            Arrays.fill(f, 0f);
            offsets[i] = (float) spec.scoreAndGradient(zero, rows[i], 1.0, f, towerScratch);
            for (int k = 0; k < w; k++) {
                squares += (double) f[k] * f[k];
            }
        }
        return squares;
    }

    private float[] ridge(ModelSpec spec, float[] u0, int count) {
        int w = u0.length;
        double[] a = new double[w * w];
        double[] r = new double[w];
        double implicitTarget = Math.log(ridgeTarget / (1 - ridgeTarget));
        for (int p = 0; p < count; p++) {
            Arrays.fill(x, 0f);
            double s = spec.scoreAndGradient(u0, rows[p], 1.0, x, towerScratch);
            double target = spec.explicit ? spec.scoreOfRating(targets[p]) : implicitTarget;
            double residual = target - s;
            for (int i = 0; i < w; i++) {
                double xi = x[i];
                if (xi == 0) {
                    continue;
                }
                r[i] += xi * residual;
                for (int j = 0; j <= i; j++) {
                    a[i * w + j] += xi * x[j];
                }
            }
        }
        double ridge = l2 * count + 1e-6;
        for (int i = 0; i < w; i++) {
            a[i * w + i] += ridge;
        }
        double[] delta = Cholesky.solve(a, r, w);
        float[] u = u0.clone();
        for (int i = 0; i < w; i++) {
            u[i] += (float) delta[i];
        }
        return u;
    }

    /** A uniformly drawn live item the user has not rated, or -1 when none turns up (a tiny, fully rated catalogue). */
    private int negative(SplittableRandom random, ItemFactors.Table t, int n) {
        for (int attempt = 0; attempt < 32; attempt++) {
            int i = random.nextInt(n);
            if ((ratedBits[i >>> 6] & (1L << i)) == 0 && !t.dead[i]) {
                return i;
            }
        }
        return -1;
    }

    private void markRated(int[] rated, int ratedCount, int n, boolean on) {
        int words = (n + 63) >>> 6;
        if (ratedBits.length < words) {
            ratedBits = new long[Math.max(words, ratedBits.length * 2)];
        }
        for (int r = 0; r < ratedCount; r++) {
            int i = rated[r];
            if (i >= 0 && i < n) {
                if (on) {
                    ratedBits[i >>> 6] |= 1L << i;
                } else {
                    ratedBits[i >>> 6] &= ~(1L << i);
                }
            }
        }
    }
}
