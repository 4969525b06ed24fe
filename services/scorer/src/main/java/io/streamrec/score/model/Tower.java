package io.streamrec.score.model;

import io.streamrec.contract.SnapshotManifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The MLP tower of ncf-mlp and neumf: Linear + ReLU layers over the concatenated user and item embeddings
 * {@code [p; q]}, with the manifest's weights ({@code mlp.<i>.weight} of shape [out, in], PyTorch's convention).
 *
 * <p>Ranking runs the tower over blocks of items at once, activations laid out per unit ({@code a[unit][item]}),
 * so each inner loop is {@code a[o][j] += w * x[i][j]} over contiguous arrays, which C2 vectorises. The user's
 * half of the first layer ({@code W0[:, :e]·p + b0}) is the same for every item and computed once per user.
 */
public final class Tower {
    /** Items per block: the first layer's activations (64 units × 256 floats) stay in L1/L2. */
    static final int BLOCK = 256;

    private final float[][] weights;
    private final float[][] biases;
    private final int[] widths;
    private final int inputWidth;

    private Tower(float[][] weights, float[][] biases, int[] widths, int inputWidth) {
        this.weights = weights;
        this.biases = biases;
        this.widths = widths;
        this.inputWidth = inputWidth;
    }

    static Tower of(Map<String, SnapshotManifest.DenseWeights> dense, int inputWidth) {
        List<float[]> w = new ArrayList<>();
        List<float[]> b = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        int in = inputWidth;
        for (int i = 0; dense.containsKey("mlp." + i + ".weight"); i++) {
            SnapshotManifest.DenseWeights weight = dense.get("mlp." + i + ".weight");
            if (weight.shape().size() != 2 || weight.shape().get(1) != in) {
                throw new IllegalArgumentException("dense weight 'mlp." + i + ".weight' has shape " + weight.shape()
                        + ", expected [units, " + in + "]");
            }
            int out = weight.shape().get(0);
            w.add(ModelSpec.weights(dense, "mlp." + i + ".weight", out, in));
            b.add(ModelSpec.weights(dense, "mlp." + i + ".bias", out));
            widths.add(out);
            in = out;
        }
        if (w.isEmpty()) {
            throw new IllegalArgumentException("dense weight 'mlp.0.weight' is missing: the model needs its MLP tower");
        }
        return new Tower(w.toArray(float[][]::new), b.toArray(float[][]::new),
                widths.stream().mapToInt(Integer::intValue).toArray(), inputWidth);
    }

    int outputWidth() {
        return widths[widths.length - 1];
    }

    int maxWidth() {
        int m = inputWidth;
        for (int w : widths) {
            m = Math.max(m, w);
        }
        return m;
    }

    /** Embedding size e of each half of the input [p; q]. */
    int half() {
        return inputWidth / 2;
    }

    /** Per-thread buffers for {@link #scoreBlock} and {@link #scoreAndGradient}. */
    static final class Scratch {
        final float[] userFirstLayer;
        final float[][] items;
        final float[][] a;
        final float[][] b;
        final float[][] activations;
        final float[] delta;
        final float[] next;

        Scratch(Tower t) {
            int units = t.maxWidth();
            userFirstLayer = new float[t.widths[0]];
            items = new float[t.half()][BLOCK];
            a = new float[units][BLOCK];
            b = new float[units][BLOCK];
            activations = new float[t.widths.length + 1][units];
            delta = new float[units];
            next = new float[units];
        }

        boolean fits(Tower t) {
            return userFirstLayer.length == t.widths[0] && items.length == t.half() && a.length >= t.maxWidth()
                    && activations.length == t.widths.length + 1;
        }
    }

    /** The user's part of the first layer: b0 + W0[:, :e]·p, with p = row[offset, offset + e). */
    void userFirstLayer(float[] row, int offset, Scratch s) {
        int e = half();
        float[] w0 = weights[0];
        for (int o = 0; o < widths[0]; o++) {
            double sum = biases[0][o];
            for (int i = 0; i < e; i++) {
                sum += w0[o * inputWidth + i] * row[offset + i];
            }
            s.userFirstLayer[o] = (float) sum;
        }
    }

    /**
     * Adds {@code out·tower([p; q_j])} to {@code scores[from + j]} for the items j of [from, from + len), len ≤
     * {@link #BLOCK}; the item embedding q is the table's parameters [offset, offset + e). With {@code items} given,
     * position j stands for the table's item {@code items[from + j]} instead (candidates to re-rank).
     */
    void scoreBlock(ItemFactors.Table t, int offset, int[] items, int from, int len, float[] out, float[] scores,
                    Scratch s) {
        int e = half();
        for (int k = 0; k < e; k++) {
            float[] column = t.columns[offset + k];
            if (items == null) {
                System.arraycopy(column, from, s.items[k], 0, len);
            } else {
                for (int j = 0; j < len; j++) {
                    s.items[k][j] = column[items[from + j]];
                }
            }
        }
        float[] w0 = weights[0];
        float[][] x = s.a;
        for (int o = 0; o < widths[0]; o++) {
            float[] ao = x[o];
            java.util.Arrays.fill(ao, 0, len, s.userFirstLayer[o]);
            int base = o * inputWidth + e;
            for (int k = 0; k < e; k++) {
                float w = w0[base + k];
                float[] q = s.items[k];
                for (int j = 0; j < len; j++) {
                    ao[j] += w * q[j];
                }
            }
            relu(ao, len);
        }
        float[][] y = s.b;
        for (int l = 1; l < widths.length; l++) {
            int in = widths[l - 1];
            float[] wl = weights[l];
            for (int o = 0; o < widths[l]; o++) {
                float[] yo = y[o];
                java.util.Arrays.fill(yo, 0, len, biases[l][o]);
                for (int i = 0; i < in; i++) {
                    float w = wl[o * in + i];
                    float[] xi = x[i];
                    for (int j = 0; j < len; j++) {
                        yo[j] += w * xi[j];
                    }
                }
                relu(yo, len);
            }
            float[][] swap = x;
            x = y;
            y = swap;
        }
        float[] acc = y[0];
        java.util.Arrays.fill(acc, 0, len, 0f);
        for (int i = 0; i < outputWidth(); i++) {
            float w = out[i];
            float[] xi = x[i];
            for (int j = 0; j < len; j++) {
                acc[j] += w * xi[j];
            }
        }
        for (int j = 0; j < len; j++) {
            scores[from + j] += acc[j];
        }
    }

    /**
     * For one (user, item) pair of rows: returns {@code out·tower([p; q])}, p and q at {@code offset} in their rows,
     * and adds its gradient with respect to p, scaled by {@code scale}, into {@code grad[offset, offset + e)}.
     */
    double scoreAndGradient(float[] user, float[] item, int offset, float[] out, double scale, float[] grad, Scratch s) {
        int e = half();
        float[] input = s.activations[0];
        for (int i = 0; i < e; i++) {
            input[i] = user[offset + i];
            input[e + i] = item[offset + i];
        }
        int in = inputWidth;
        for (int l = 0; l < widths.length; l++) {
            float[] x = s.activations[l];
            float[] y = s.activations[l + 1];
            float[] wl = weights[l];
            for (int o = 0; o < widths[l]; o++) {
                double sum = biases[l][o];
                for (int i = 0; i < in; i++) {
                    sum += wl[o * in + i] * x[i];
                }
                y[o] = sum > 0 ? (float) sum : 0f;
            }
            in = widths[l];
        }
        float[] last = s.activations[widths.length];
        double score = 0;
        for (int i = 0; i < outputWidth(); i++) {
            score += out[i] * last[i];
        }
        if (scale == 0) {
            return score;
        }
        // Backward: delta holds d score / d(pre-activation) of layer l, reusing the buffers of the layers above.
        float[] delta = s.delta;
        float[] next = s.next;
        for (int o = 0; o < outputWidth(); o++) {
            delta[o] = last[o] > 0 ? out[o] : 0f;
        }
        for (int l = widths.length - 1; l >= 1; l--) {
            int inW = widths[l - 1];
            float[] wl = weights[l];
            float[] below = s.activations[l];
            java.util.Arrays.fill(next, 0, inW, 0f);
            for (int o = 0; o < widths[l]; o++) {
                float d = delta[o];
                if (d != 0) {
                    for (int i = 0; i < inW; i++) {
                        next[i] += d * wl[o * inW + i];
                    }
                }
            }
            for (int i = 0; i < inW; i++) {
                delta[i] = below[i] > 0 ? next[i] : 0f;
            }
        }
        float[] w0 = weights[0];
        for (int o = 0; o < widths[0]; o++) {
            float d = delta[o];
            if (d != 0) {
                for (int i = 0; i < e; i++) {
                    grad[offset + i] += (float) (scale * d * w0[o * inputWidth + i]);
                }
            }
        }
        return score;
    }

    private static void relu(float[] a, int len) {
        for (int j = 0; j < len; j++) {
            a[j] = Math.max(a[j], 0f);
        }
    }
}
