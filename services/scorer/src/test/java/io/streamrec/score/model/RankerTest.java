package io.streamrec.score.model;

import io.streamrec.score.PlantedWorld;
import io.streamrec.score.state.ItemModel;
import io.streamrec.contract.ModelKind;
import io.streamrec.contract.SnapshotManifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The ranking kernels against a plain reading of schemas/FACTORS.md's formulas, for all four models: same top K,
 * same scores, rated and removed items never returned, batches equal to one user at a time; and the pair scores
 * and user-row gradients the fold-in uses against finite differences.
 */
class RankerTest {
    private static final int DIM = 12;
    private static final int MLP_DIM = 6;
    private static final int[] LAYERS = {10, 5};
    /** More items than one block of either kernel, and not a multiple of one. */
    private static final int ITEMS = 2_345;

    private record Fixture(ModelSpec spec, Map<String, SnapshotManifest.DenseWeights> dense, ItemModel model,
                           float[][] users) {
    }

    private static Fixture fixture(ModelKind kind, int users) {
        PlantedWorld world = new PlantedWorld(DIM, 1, 3);
        Map<String, SnapshotManifest.DenseWeights> dense = kind == ModelKind.MF ? Map.of()
                : world.dense(kind, DIM, MLP_DIM, LAYERS);
        SnapshotManifest m = PlantedWorld.manifest(kind.id(), 1, DIM, ITEMS, 0, dense, false);
        if (kind == ModelKind.NEUMF) {
            m = PlantedWorld.withConfig(m, "mlpDim", MLP_DIM);
        }
        ModelSpec spec = ModelSpec.of(m);
        ItemModel model = new ItemModel(0);
        model.applyManifest(m, spec);
        for (long movie = 1; movie <= ITEMS; movie++) {
            model.applyItemRow(movie, PlantedWorld.row(1, 1, world.gaussian(spec.width(), 0.5)));
        }
        float[][] rows = new float[users][];
        for (int u = 0; u < users; u++) {
            rows[u] = world.gaussian(spec.width(), 0.5);
        }
        return new Fixture(spec, dense, model, rows);
    }

    /** FACTORS.md, computed the slow and obvious way. */
    private static double reference(Fixture f, float[] u, float[] v) {
        ModelSpec spec = f.spec();
        int d = spec.dim;
        switch (spec.kind) {
            case MF -> {
                double s = u[d] + v[d] + spec.globalOffset;
                for (int k = 0; k < d; k++) {
                    s += u[k] * v[k];
                }
                return s;
            }
            case GMF -> {
                double s = spec.outBias;
                for (int k = 0; k < d; k++) {
                    s += spec.gmfWeights[k] * u[k] * v[k];
                }
                return s;
            }
            default -> {
                int off = spec.towerOffset();
                int e = spec.mlpDim;
                double[] x = new double[2 * e];
                for (int i = 0; i < e; i++) {
                    x[i] = u[off + i];
                    x[e + i] = v[off + i];
                }
                x = tower(f.dense(), x);
                double s = spec.outBias;
                for (int i = 0; i < x.length; i++) {
                    s += spec.towerWeights[i] * x[i];
                }
                if (spec.kind == ModelKind.NEUMF) {
                    for (int k = 0; k < d; k++) {
                        s += spec.gmfWeights[k] * u[k] * v[k];
                    }
                }
                return s;
            }
        }
    }

    private static double[] tower(Map<String, SnapshotManifest.DenseWeights> dense, double[] x) {
        for (int l = 0; dense.get("mlp." + l + ".weight") != null; l++) {
            SnapshotManifest.DenseWeights w = dense.get("mlp." + l + ".weight");
            float[] wv = w.values();
            float[] bv = dense.get("mlp." + l + ".bias").values();
            int out = w.shape().get(0);
            int in = w.shape().get(1);
            double[] y = new double[out];
            for (int o = 0; o < out; o++) {
                double s = bv[o];
                for (int i = 0; i < in; i++) {
                    s += wv[o * in + i] * x[i];
                }
                y[o] = Math.max(0, s);
            }
            x = y;
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(ModelKind.class)
    void topKEqualsTheReferenceRankingWithoutRatedOrRemovedItems(ModelKind kind) {
        int users = 20;
        Fixture f = fixture(kind, users);
        int k = 15;
        SplittableRandom random = new SplittableRandom(9);
        int[][] excluded = new int[users][];
        int[] excludedCount = new int[users];
        for (int u = 0; u < users; u++) {
            excluded[u] = random.ints(40, 0, ITEMS).toArray();
            excludedCount[u] = excluded[u].length;
        }
        for (long movie = 100; movie < 110; movie++) {
            f.model.applyItemRow(movie, null); // removed items
        }
        ItemFactors.Table t = f.model.table();
        float[] v = new float[t.width];

        Ranker ranker = new Ranker();
        int[][] allIndex = new int[users][k];
        float[][] allScore = new float[users][k];
        int[] allCount = new int[users];
        for (int from = 0; from < users; from += Ranker.BATCH) {
            int n = Math.min(Ranker.BATCH, users - from);
            int[][] idx = new int[n][k];
            float[][] sc = new float[n][k];
            int[] cnt = new int[n];
            ranker.rank(f.spec, t, Arrays.copyOfRange(f.users, from, from + n), Arrays.copyOfRange(excluded, from, from + n),
                    Arrays.copyOfRange(excludedCount, from, from + n), n, k, idx, sc, cnt);
            for (int b = 0; b < n; b++) {
                allIndex[from + b] = idx[b];
                allScore[from + b] = sc[b];
                allCount[from + b] = cnt[b];
            }
        }
        for (int u = 0; u < users; u++) {
            int user = u;
            double[] ref = new double[ITEMS];
            for (int i = 0; i < ITEMS; i++) {
                t.row(i, v);
                ref[i] = reference(f, f.users[u], v);
            }
            java.util.Set<Integer> banned = new java.util.HashSet<>();
            Arrays.stream(excluded[u]).forEach(banned::add);
            IntStream.range(99, 109).forEach(banned::add);
            int[] expected = IntStream.range(0, ITEMS).filter(i -> !banned.contains(i)).boxed()
                    .sorted(Comparator.comparingDouble(i -> -ref[i])).limit(k).mapToInt(Integer::intValue).toArray();
            assertThat(allCount[u]).isEqualTo(k);
            for (int r = 0; r < k; r++) {
                assertThat(allScore[u][r]).as("user %d rank %d", user, r).isCloseTo((float) ref[expected[r]], within(1e-3f));
                assertThat(banned).doesNotContain(allIndex[u][r]);
            }
            // One user at a time gives the same list as the batch.
            int[][] one = new int[1][k];
            ranker.rank(f.spec, t, new float[][]{f.users[u]}, new int[][]{excluded[u]}, new int[]{excludedCount[u]}, 1, k,
                    one, new float[1][k], new int[1]);
            assertThat(one[0]).containsExactly(allIndex[u]);
        }
    }

    @ParameterizedTest
    @EnumSource(ModelKind.class)
    void userGradientsMatchFiniteDifferences(ModelKind kind) {
        Fixture f = fixture(kind, 3);
        ItemFactors.Table t = f.model.table();
        Tower.Scratch scratch = f.spec.tower == null ? null : new Tower.Scratch(f.spec.tower);
        float[] v = new float[t.width];
        for (int u = 0; u < 3; u++) {
            for (int item : new int[]{0, 777, ITEMS - 1}) {
                float[] user = f.users[u].clone();
                float[] grad = new float[user.length];
                t.row(item, v);
                double s = f.spec.scoreAndGradient(user, v, 1.0, grad, scratch);
                assertThat(s).isCloseTo(reference(f, user, v), within(1e-4));
                for (int k = 0; k < user.length; k++) {
                    float saved = user[k];
                    double h = 1e-3;
                    user[k] = (float) (saved + h);
                    double up = reference(f, user, v);
                    user[k] = (float) (saved - h);
                    double down = reference(f, user, v);
                    user[k] = saved;
                    assertThat((double) grad[k]).as("d s / d u[%d]", k).isCloseTo((up - down) / (2 * h), within(2e-2));
                }
            }
        }
    }
}
