package io.streamrec.score.model;

import io.streamrec.kernel.InnerProduct;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Users grouped by k-means on their factor rows, each group with its favourite items: the cluster-based
 * recommendations of reference notebook 001, used as a fallback (the scorer's {@code Recommender}).
 *
 * <p>A user is placed in the cluster of the nearest centroid at request time, so users whose rows arrived after the
 * last build are placed too.
 *
 * <p>Favourites differ from the notebook's on purpose: it ranks by the cluster's mean rating, which puts an item one
 * member rated 5 stars first; here an item's weight is the number of members who rated it {@value #LIKED} stars or
 * more.
 */
public final class Clusters {
    /** Stars from which a rating counts towards an item's place among its cluster's favourites. */
    public static final float LIKED = 4.0f;
    /** Favourites kept per cluster: enough for K after removing a heavy rater's items. */
    static final int FAVOURITES = 1000;

    private static final InnerProduct DOT = InnerProduct.best();

    private final float[][] centroids;
    private final float[] centroidNorms;
    private final long[][] favourites;
    private final int[][] likes;
    private final int[] sizes;

    private Clusters(float[][] centroids, long[][] favourites, int[][] likes, int[] sizes) {
        this.centroids = centroids;
        this.centroidNorms = squaredNorms(centroids);
        this.favourites = favourites;
        this.likes = likes;
        this.sizes = sizes;
    }

    /** Factors per centroid: a user row must have at least this many to be placed. */
    public int width() {
        return centroids[0].length;
    }

    public int count() {
        return centroids.length;
    }

    public int size(int cluster) {
        return sizes[cluster];
    }

    public long[] favourites(int cluster) {
        return favourites[cluster];
    }

    public int[] likes(int cluster) {
        return likes[cluster];
    }

    /** The cluster whose centroid is nearest to the row's first {@link #width()} parameters. */
    public int nearest(float[] row) {
        return nearest(centroids, centroidNorms, row);
    }

    /**
     * Clusters users and counts each cluster's favourites.
     *
     * @param points one row per user, all of the same width (the factors to cluster on)
     * @param liked  per user, the items they rated {@value #LIKED} stars or more
     * @return the clusters, or null when there are fewer users than clusters
     */
    public static Clusters build(List<float[]> points, List<long[]> liked, int k, int iterations, long seed) {
        if (points.size() < k || k < 1) {
            return null;
        }
        float[][] data = points.toArray(float[][]::new);
        float[][] centroids = fit(data, k, iterations, seed);
        float[] norms = squaredNorms(centroids);
        int[] sizes = new int[k];
        List<Map<Long, int[]>> counts = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            counts.add(new HashMap<>());
        }
        for (int u = 0; u < data.length; u++) {
            int c = nearest(centroids, norms, data[u]);
            sizes[c]++;
            for (long movieId : liked.get(u)) {
                counts.get(c).computeIfAbsent(movieId, m -> new int[1])[0]++;
            }
        }
        long[][] favourites = new long[k][];
        int[][] likes = new int[k][];
        for (int c = 0; c < k; c++) {
            Map<Long, int[]> m = counts.get(c);
            Long[] ids = m.keySet().toArray(Long[]::new);
            Arrays.sort(ids, (a, b) -> {
                int cmp = Integer.compare(m.get(b)[0], m.get(a)[0]);
                return cmp != 0 ? cmp : Long.compare(a, b);
            });
            int n = Math.min(FAVOURITES, ids.length);
            favourites[c] = new long[n];
            likes[c] = new int[n];
            for (int i = 0; i < n; i++) {
                favourites[c][i] = ids[i];
                likes[c][i] = m.get(ids[i])[0];
            }
        }
        return new Clusters(centroids, favourites, likes, sizes);
    }

    /**
     * Lloyd's k-means with k-means++ seeding; deterministic for a seed. Distances go through the inner-product
     * kernel (‖x − c‖² = ‖x‖² + ‖c‖² − 2 x·c): the candidate index clusters tens of thousands of item rows into
     * hundreds of partitions with it.
     */
    static float[][] fit(float[][] data, int k, int iterations, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = data.length;
        int w = data[0].length;
        float[] dataNorms = squaredNorms(data);
        float[][] centroids = new float[k][];
        centroids[0] = data[random.nextInt(n)].clone();
        double[] distance = new double[n];
        Arrays.fill(distance, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            float[] last = centroids[c - 1];
            float lastNorm = DOT.dot(last, 0, last, 0, w);
            double total = 0;
            for (int i = 0; i < n; i++) {
                double d = Math.max(0, dataNorms[i] + lastNorm - 2.0 * DOT.dot(data[i], 0, last, 0, w));
                distance[i] = Math.min(distance[i], d);
                total += distance[i];
            }
            double pick = random.nextDouble() * total;
            int chosen = n - 1;
            for (int i = 0; i < n; i++) {
                pick -= distance[i];
                if (pick <= 0) {
                    chosen = i;
                    break;
                }
            }
            centroids[c] = data[chosen].clone();
        }
        int[] assignment = new int[n];
        Arrays.fill(assignment, -1);
        for (int iteration = 0; iteration < iterations; iteration++) {
            float[] norms = squaredNorms(centroids);
            boolean moved = false;
            for (int i = 0; i < n; i++) {
                int c = nearest(centroids, norms, data[i]);
                if (c != assignment[i]) {
                    assignment[i] = c;
                    moved = true;
                }
            }
            if (!moved) {
                break;
            }
            double[][] sums = new double[k][w];
            int[] members = new int[k];
            for (int i = 0; i < n; i++) {
                int c = assignment[i];
                members[c]++;
                for (int j = 0; j < w; j++) {
                    sums[c][j] += data[i][j];
                }
            }
            for (int c = 0; c < k; c++) {
                if (members[c] == 0) {
                    continue; // an empty cluster keeps its centroid
                }
                for (int j = 0; j < w; j++) {
                    centroids[c][j] = (float) (sums[c][j] / members[c]);
                }
            }
        }
        return centroids;
    }

    /**
     * The centroid nearest to {@code row}'s first {@code centroids[0].length} entries: the least ‖c‖² − 2 row·c,
     * which is the squared distance less ‖row‖², the same for every centroid.
     *
     * @param norms the centroids' squared norms ({@link #squaredNorms})
     */
    static int nearest(float[][] centroids, float[] norms, float[] row) {
        int w = centroids[0].length;
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centroids.length; c++) {
            double d = norms[c] - 2.0 * DOT.dot(row, 0, centroids[c], 0, w);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    static float[] squaredNorms(float[][] rows) {
        float[] norms = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            norms[i] = DOT.dot(rows[i], 0, rows[i], 0, rows[i].length);
        }
        return norms;
    }
}
