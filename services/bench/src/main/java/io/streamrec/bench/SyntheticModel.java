package io.streamrec.bench;

import io.streamrec.contract.SnapshotManifest;
import io.streamrec.score.model.ItemFactors;
import io.streamrec.score.model.ModelSpec;
import io.streamrec.score.model.Ranker;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * bench score's mf model, shaped like a trained one (see {@link ScoreBenchmark}): 50 latent genres, factor energy
 * decaying over the dimensions, long-tailed item biases (item m is the m-th most popular), users mixing two genres.
 * Keeps the item rows, so the benchmark can rank a user by a full scan of its own to judge the served lists.
 */
final class SyntheticModel {
    private static final int GENRES = 50;

    private final int dim;
    private final float[][] centres;
    private final float[] scale;
    private final float[][] items;

    SyntheticModel(int items, int dim, long seed) {
        this.dim = dim;
        SplittableRandom random = new SplittableRandom(seed);
        scale = new float[dim];
        for (int k = 0; k < dim; k++) {
            scale[k] = (float) (1 / Math.sqrt(1 + k));
        }
        centres = new float[GENRES][dim];
        for (float[] c : centres) {
            for (int k = 0; k < dim; k++) {
                c[k] = (float) (random.nextGaussian() * 0.6 * scale[k]);
            }
        }
        this.items = new float[items][];
        for (int m = 0; m < items; m++) {
            float[] c = centres[random.nextInt(GENRES)];
            float[] row = new float[dim + 1];
            for (int k = 0; k < dim; k++) {
                row[k] = c[k] + (float) (random.nextGaussian() * 0.3 * scale[k]);
            }
            row[dim] = (float) (-0.5 * Math.log(1 + m) + random.nextGaussian() * 0.3);
            this.items[m] = row;
        }
    }

    /** Item movieId's row (movieIds 1..items). */
    float[] item(long movieId) {
        return items[(int) movieId - 1];
    }

    /** A new user's row: mostly one genre, partly another, plus noise; bias 0. */
    float[] user(SplittableRandom random) {
        float[] a = centres[random.nextInt(GENRES)];
        float[] b = centres[random.nextInt(GENRES)];
        float[] row = new float[dim + 1];
        for (int k = 0; k < dim; k++) {
            row[k] = 2 * (0.7f * a[k] + 0.3f * b[k]) + (float) (random.nextGaussian() * 0.3 * scale[k]);
        }
        return row;
    }

    /** The manifest's scoring spec for this model: mf, implicit, d = dim. */
    ModelSpec spec() {
        return ModelSpec.of(new SnapshotManifest("mf", 1, 0, 0, 0, 0, List.of(), 0, items.length,
                Map.of("model", "mf", "objective", "implicit", "dim", dim), Map.of(), Map.of()));
    }

    /** The item rows as the scorer holds them (movieIds 1..items). */
    ItemFactors.Table table() {
        ItemFactors factors = new ItemFactors();
        for (int i = 0; i < items.length; i++) {
            factors.put(i + 1, items[i]);
        }
        return factors.table();
    }

    /**
     * Mean share of each sampled user's exact top K (a full scan, by the scorer's own kernel) found in the list
     * served for them.
     */
    double recall(Map<Long, float[]> userRows, Map<Long, long[]> served, int k) {
        ModelSpec spec = spec();
        ItemFactors.Table t = table();
        Ranker ranker = new Ranker();
        int[][] index = {new int[k]};
        double found = 0;
        int judged = 0;
        for (Map.Entry<Long, long[]> list : served.entrySet()) {
            float[] row = userRows.get(list.getKey());
            if (row == null) {
                continue;
            }
            ranker.rank(spec, t, new float[][]{row}, new int[][]{new int[0]}, new int[]{0}, 1, k, index,
                    new float[][]{new float[k]}, new int[1]);
            java.util.Set<Long> exact = new java.util.HashSet<>();
            for (int i : index[0]) {
                exact.add(t.movieIds[i]);
            }
            for (long movie : list.getValue()) {
                found += exact.contains(movie) ? 1 : 0;
            }
            judged++;
        }
        return judged == 0 ? Double.NaN : found / (judged * (double) k);
    }
}
