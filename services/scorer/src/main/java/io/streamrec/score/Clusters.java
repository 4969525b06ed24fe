package io.streamrec.score;

import io.streamrec.contract.FactorRow;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Users grouped by k-means on their factor rows, each group with its favourite items: the cluster-based
 * recommendations of reference notebook 001, used as a fallback (see {@link Recommender}).
 *
 * <p>Built per instance from the users it owns (a random sample of all users: partitions are hash-assigned), at
 * most {@value #SAMPLE} of them, off the stream threads, every {@code scorer.clusters.period-ms}. A user is placed in the cluster of the nearest
 * centroid at request time, so users whose rows arrived after the last build are placed too.
 *
 * <p>Favourites differ from the notebook's on purpose: it ranks by the cluster's mean rating, which puts an item one
 * member rated 5 stars first; here an item's weight is the number of members who rated it {@value #LIKED} stars or
 * more.
 */
final class Clusters {
    static final float LIKED = 4.0f;
    /** Favourites kept per cluster: enough for K after removing a heavy rater's items. */
    static final int FAVOURITES = 1000;
    /**
     * Users the clusters are fit on and count favourites from, at most. Building from all 162k users of ml-25m took
     * seconds every period, competing with the stream thread for the cores: the 1,000 ratings/s p99 went from 4 ms
     * to 53 ms (bench score). A 5,000-user sample still cost 86 ms at p99 while it scanned the whole store to draw
     * the sample; reading only the first 5,000 rows fixed that. 5,000 users leave each of 10 clusters about 500
     * members to place its centroid and count its favourites.
     */
    static final int SAMPLE = 5_000;

    private final float[][] centroids;
    private final long[][] favourites;
    private final int[][] likes;
    private final int[] sizes;

    private Clusters(float[][] centroids, long[][] favourites, int[][] likes, int[] sizes) {
        this.centroids = centroids;
        this.favourites = favourites;
        this.likes = likes;
        this.sizes = sizes;
    }

    /** Factors per centroid: a user row must have at least this many to be placed. */
    int width() {
        return centroids[0].length;
    }

    int count() {
        return centroids.length;
    }

    int size(int cluster) {
        return sizes[cluster];
    }

    long[] favourites(int cluster) {
        return favourites[cluster];
    }

    int[] likes(int cluster) {
        return likes[cluster];
    }

    /** The cluster whose centroid is nearest to the row's first {@link #width()} parameters. */
    int nearest(float[] row) {
        return nearest(centroids, row);
    }

    /**
     * Clusters the users of the stores.
     *
     * @param spec the served model (which part of a row to cluster on), or null before the first manifest
     * @return the clusters, or null when there are fewer users with rows than clusters
     */
    static Clusters build(ReadOnlyKeyValueStore<String, byte[]> rows, ReadOnlyKeyValueStore<String, byte[]> histories,
                          ModelSpec spec, int k, int iterations, long seed) {
        // The first SAMPLE users in key order: each partition is a hash-random share of the users and the order of
        // ids within it has nothing to do with taste, so this is a fair sample, read without scanning the rest.
        List<String> users = new ArrayList<>();
        List<byte[]> chosen = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = rows.all()) {
            while (it.hasNext() && chosen.size() < SAMPLE) {
                KeyValue<String, byte[]> kv = it.next();
                users.add(kv.key);
                chosen.add(kv.value);
            }
        }
        List<float[]> points = new ArrayList<>();
        List<String> members = new ArrayList<>();
        int width = -1;
        for (int i = 0; i < chosen.size(); i++) {
            float[] params = FactorRow.decode(chosen.get(i)).params();
            int w = spec != null && params.length == spec.width() ? spec.clusterWidth() : params.length;
            if (width < 0) {
                width = w;
            }
            if (w == width && params.length >= width) {
                members.add(users.get(i));
                points.add(Arrays.copyOf(params, width));
            }
        }
        users = members;
        if (points.size() < k || k < 1) {
            return null;
        }
        float[][] data = points.toArray(float[][]::new);
        float[][] centroids = fit(data, k, iterations, seed);
        int[] sizes = new int[k];
        List<Map<Long, int[]>> counts = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            counts.add(new HashMap<>());
        }
        for (int u = 0; u < data.length; u++) {
            int c = nearest(centroids, data[u]);
            sizes[c]++;
            byte[] bytes = histories.get(users.get(u));
            if (bytes == null) {
                continue;
            }
            UserHistory h = UserHistory.decode(bytes);
            for (int i = 0; i < h.size(); i++) {
                if (h.stars(i) >= LIKED) {
                    counts.get(c).computeIfAbsent(h.movieId(i), m -> new int[1])[0]++;
                }
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

    /** Lloyd's k-means with k-means++ seeding; deterministic for a seed. */
    static float[][] fit(float[][] data, int k, int iterations, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = data.length;
        int w = data[0].length;
        float[][] centroids = new float[k][];
        centroids[0] = data[random.nextInt(n)].clone();
        double[] distance = new double[n];
        Arrays.fill(distance, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                distance[i] = Math.min(distance[i], squaredDistance(data[i], centroids[c - 1]));
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
            boolean moved = false;
            for (int i = 0; i < n; i++) {
                int c = nearest(centroids, data[i]);
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

    private static int nearest(float[][] centroids, float[] row) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centroids.length; c++) {
            double d = squaredDistance(row, centroids[c]);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    private static double squaredDistance(float[] a, float[] centroid) {
        double s = 0;
        for (int j = 0; j < centroid.length; j++) {
            double d = a[j] - centroid[j];
            s += d * d;
        }
        return s;
    }
}
