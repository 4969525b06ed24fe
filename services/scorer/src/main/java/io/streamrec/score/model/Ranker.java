package io.streamrec.score.model;

import io.streamrec.contract.ModelKind;
import io.streamrec.kernel.InnerProduct;
import java.util.Arrays;

/**
 * Scores every item of the matrix for a few users and keeps each user's top K, never an excluded (rated) or
 * removed item. One per thread: it owns its scratch buffers, so ranking allocates nothing per user.
 *
 * <p>MF and GMF, linear in the user row, share one kernel: {@code s_j = c + b_j + Σ_k e_k·V[k][j]} with the
 * user's effective vector e (MF: u; GMF: h ⊙ p) and constant c (MF: b_u + μ; GMF: the output bias). Several
 * users go through the items block by block, so a block of the matrix is read from memory once per batch rather
 * than once per user (1.4x at 59k items, measured); four parameters per pass halve the passes over the scores.
 * ncf-mlp and neumf run the {@link Tower} per user.
 *
 * <p>The plain loops are left to C2's auto-vectoriser on purpose: the same kernel written with the incubating
 * Vector API (explicit FMA, one to four accumulators) measured 1.3x to 2x slower on this JVM (Java 17, AVX-512).
 */
public final class Ranker {
    /** Users ranked together by the linear kernel. */
    public static final int BATCH = 16;
    /** Items per block of the linear kernel: 16 users' partial scores stay in L2. */
    private static final int BLOCK = 1024;
    private static final InnerProduct DOT = InnerProduct.best();

    private final float[][] scores = new float[BATCH][0];
    private final float[][] effective = new float[BATCH][0];
    private final float[] constants = new float[BATCH];
    private final TopScores top = new TopScores();
    private Tower.Scratch towerScratch;
    private float[] candidateScores = new float[0];
    private float[] query = new float[0];

    /**
     * Ranks for {@code count} users (at most {@link #BATCH}).
     *
     * @param users     user rows of the spec's width
     * @param excluded  per user, item indices never to return (entries beyond the table are ignored)
     * @param outIndex  per user, receives the best item indices, best first (length ≥ k)
     * @param outScore  per user, their raw scores (see {@link ModelSpec#report})
     * @param outCount  per user, how many were found (fewer than k when the catalogue runs out)
     */
    public void rank(ModelSpec spec, ItemFactors.Table t, float[][] users, int[][] excluded, int[] excludedCount, int count,
              int k, int[][] outIndex, float[][] outScore, int[] outCount) {
        if (count > BATCH) {
            throw new IllegalArgumentException("at most " + BATCH + " users per call, got " + count);
        }
        int n = t.size();
        for (int b = 0; b < count; b++) {
            if (scores[b].length < n) {
                scores[b] = new float[Math.max(n, t.capacity())];
            }
        }
        if (spec.linear()) {
            scoreLinear(spec, t, users, count, n);
        } else {
            for (int b = 0; b < count; b++) {
                scoreTower(spec, t, users[b], null, scores[b], n);
            }
        }
        for (int b = 0; b < count; b++) {
            float[] s = scores[b];
            for (int e = 0; e < excludedCount[b]; e++) {
                int i = excluded[b][e];
                if (i >= 0 && i < n) {
                    s[i] = Float.NEGATIVE_INFINITY;
                }
            }
            outCount[b] = select(s, t.dead, n, k, outIndex[b], outScore[b]);
        }
    }

    private int select(float[] s, boolean[] dead, int n, int k, int[] outIndex, float[] outScore) {
        top.reset(k);
        // Held in a local between offers: the threshold only moves when an item enters, and this loop runs over
        // the whole catalogue.
        float threshold = top.threshold();
        for (int j = 0; j < n; j++) {
            float v = s[j];
            if (v > threshold && !dead[j]) {
                top.offer(j, v);
                threshold = top.threshold();
            }
        }
        return top.drainDescending(outIndex, outScore);
    }

    private void scoreLinear(ModelSpec spec, ItemFactors.Table t, float[][] users, int count, int n) {
        int d = spec.dim;
        boolean mf = spec.kind == ModelKind.MF;
        for (int b = 0; b < count; b++) {
            if (effective[b].length != d) {
                effective[b] = new float[d];
            }
            float[] u = users[b];
            if (mf) {
                System.arraycopy(u, 0, effective[b], 0, d);
                constants[b] = u[d] + spec.globalOffset;
            } else {
                for (int k = 0; k < d; k++) {
                    effective[b][k] = spec.gmfWeights[k] * u[k];
                }
                constants[b] = spec.outBias;
            }
        }
        float[][] v = t.columns;
        float[] itemBias = mf ? v[d] : null;
        int tail = d - d % 4;
        for (int j0 = 0; j0 < n; j0 += BLOCK) {
            int j1 = Math.min(n, j0 + BLOCK);
            for (int b = 0; b < count; b++) {
                float[] out = scores[b];
                float[] e = effective[b];
                Arrays.fill(out, j0, j1, constants[b]);
                if (itemBias != null) {
                    for (int j = j0; j < j1; j++) {
                        out[j] += itemBias[j];
                    }
                }
                for (int k = 0; k < tail; k += 4) {
                    float e0 = e[k], e1 = e[k + 1], e2 = e[k + 2], e3 = e[k + 3];
                    float[] r0 = v[k], r1 = v[k + 1], r2 = v[k + 2], r3 = v[k + 3];
                    for (int j = j0; j < j1; j++) {
                        out[j] += e0 * r0[j] + e1 * r1[j] + e2 * r2[j] + e3 * r3[j];
                    }
                }
                for (int k = tail; k < d; k++) {
                    float ek = e[k];
                    float[] r = v[k];
                    for (int j = j0; j < j1; j++) {
                        out[j] += ek * r[j];
                    }
                }
            }
        }
    }

    /**
     * Exact scores of a user's candidates (table indices, each live and not excluded: the caller chose them) and
     * their top K, best first; returns how many (fewer than k when there are fewer candidates). The re-ranking half
     * of retrieval: the same model formulas as {@link #rank}, on the candidates only.
     */
    public int rankCandidates(ModelSpec spec, ItemFactors.Table t, float[] user, int[] candidates, int count, int k,
                              int[] outIndex, float[] outScore) {
        if (candidateScores.length < count) {
            candidateScores = new float[count];
        }
        float[] s = candidateScores;
        if (spec.linear()) {
            int w = spec.retrievalWidth();
            if (query.length < w) {
                query = new float[w];
            }
            spec.retrievalQuery(user, query);
            float c = spec.kind == ModelKind.MF ? user[spec.dim] + spec.globalOffset : spec.outBias;
            for (int i = 0; i < count; i++) {
                s[i] = c + DOT.dot(query, 0, t.rows, candidates[i] * t.width, w);
            }
        } else {
            scoreTower(spec, t, user, candidates, s, count);
        }
        top.reset(k);
        for (int i = 0; i < count; i++) {
            top.offer(candidates[i], s[i]);
        }
        return top.drainDescending(outIndex, outScore);
    }

    /** Tower scores of the items [0, n), or of {@code items[0, n)} when given, into out[0, n). */
    private void scoreTower(ModelSpec spec, ItemFactors.Table t, float[] user, int[] items, float[] out, int n) {
        Tower tower = spec.tower;
        if (towerScratch == null || !towerScratch.fits(tower)) {
            towerScratch = new Tower.Scratch(tower);
        }
        tower.userFirstLayer(user, spec.towerOffset(), towerScratch);
        boolean neumf = spec.kind == ModelKind.NEUMF;
        float[][] v = t.columns;
        for (int from = 0; from < n; from += Tower.BLOCK) {
            int len = Math.min(Tower.BLOCK, n - from);
            int to = from + len;
            Arrays.fill(out, from, to, spec.outBias);
            if (neumf) {
                for (int k = 0; k < spec.dim; k++) {
                    float w = spec.gmfWeights[k] * user[k];
                    float[] r = v[k];
                    if (items == null) {
                        for (int j = from; j < to; j++) {
                            out[j] += w * r[j];
                        }
                    } else {
                        for (int j = from; j < to; j++) {
                            out[j] += w * r[items[j]];
                        }
                    }
                }
            }
            tower.scoreBlock(t, spec.towerOffset(), items, from, len, spec.towerWeights, out, towerScratch);
        }
    }
}
