package io.streamrec.score.stream;

import io.streamrec.contract.FactorRow;
import io.streamrec.score.model.Clusters;
import io.streamrec.score.model.ModelSpec;
import io.streamrec.score.state.UserHistory;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fits {@link Clusters} on the users this instance owns (a random sample of all users: partitions are
 * hash-assigned), off the stream threads, every {@code scorer.clusters.period-ms}.
 */
public final class UserClustering {
    /**
     * Users the clusters are fit on and count favourites from, at most. Building from all 162k users of ml-25m took
     * seconds every period, competing with the stream thread for the cores: the 1,000 ratings/s p99 went from 4 ms
     * to 53 ms (bench score). A 5,000-user sample still cost 86 ms at p99 while it scanned the whole store to draw
     * the sample; reading only the first 5,000 rows fixed that. 5,000 users leave each of 10 clusters about 500
     * members to place its centroid and count its favourites.
     */
    static final int SAMPLE = 5_000;

    private UserClustering() {
    }

    /**
     * @param spec the served model (which part of a row to cluster on), or null before the first manifest
     * @return the clusters, or null when there are fewer users with rows than clusters
     */
    public static Clusters build(ReadOnlyKeyValueStore<String, byte[]> rows, ReadOnlyKeyValueStore<String, byte[]> histories,
                                 ModelSpec spec, int k, int iterations, long seed) {
        // The first SAMPLE users in key order: each partition is a hash-random share of the users and the order of
        // ids within it has nothing to do with taste, so this is a fair sample, read without scanning the rest.
        List<float[]> points = new ArrayList<>();
        List<long[]> liked = new ArrayList<>();
        int width = -1;
        try (KeyValueIterator<String, byte[]> it = rows.all()) {
            while (it.hasNext() && points.size() < SAMPLE) {
                KeyValue<String, byte[]> kv = it.next();
                float[] params = FactorRow.decode(kv.value).params();
                int w = spec != null && params.length == spec.width() ? spec.clusterWidth() : params.length;
                if (width < 0) {
                    width = w;
                }
                if (w == width && params.length >= width) {
                    points.add(Arrays.copyOf(params, width));
                    liked.add(likedItems(histories.get(kv.key)));
                }
            }
        }
        return Clusters.build(points, liked, k, iterations, seed);
    }

    private static long[] likedItems(byte[] history) {
        if (history == null) {
            return new long[0];
        }
        UserHistory h = UserHistory.decode(history);
        long[] out = new long[h.size()];
        int n = 0;
        for (int i = 0; i < h.size(); i++) {
            if (h.stars(i) >= Clusters.LIKED) {
                out[n++] = h.movieId(i);
            }
        }
        return Arrays.copyOf(out, n);
    }
}
