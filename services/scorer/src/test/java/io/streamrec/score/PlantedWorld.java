package io.streamrec.score;

import io.streamrec.contract.ModelKind;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.Movie;
import io.streamrec.contract.SnapshotManifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small catalogue with planted structure, standing in for the trainer's snapshots: items belong to one genre
 * each and their factors point along that genre's axis; users lean towards one genre. The most popular items (the
 * largest biases, the most ratings) are all Comedy, so a list that follows popularity is easy to tell from one that
 * follows the user's taste.
 */
public final class PlantedWorld {
    public static final String[] GENRES = {"Sci-Fi", "Romance", "Horror", "Comedy"};
    public static final int SCI_FI = 0;
    public static final int COMEDY = 3;

    public final int dim;
    final int itemsPerGenre;
    private final SplittableRandom random;

    public PlantedWorld(int dim, int itemsPerGenre, long seed) {
        this.dim = dim;
        this.itemsPerGenre = itemsPerGenre;
        this.random = new SplittableRandom(seed);
    }

    int items() {
        return GENRES.length * itemsPerGenre;
    }

    /** movieIds are 1..items(), genre = (movieId - 1) / itemsPerGenre. */
    public int genreOf(long movieId) {
        return (int) ((movieId - 1) / itemsPerGenre);
    }

    public long movie(int genre, int i) {
        return 1L + (long) genre * itemsPerGenre + i;
    }

    public List<Movie> movies() {
        List<Movie> out = new ArrayList<>();
        for (long m = 1; m <= items(); m++) {
            out.add(new Movie(m, GENRES[genreOf(m)] + " movie " + m, 1990 + (int) (m % 30), List.of(GENRES[genreOf(m)])));
        }
        return out;
    }

    /** MF item rows: d factors along the genre axis plus noise, then the bias (Comedy's is high). */
    public Map<Long, float[]> mfItems() {
        Map<Long, float[]> rows = new LinkedHashMap<>();
        for (long m = 1; m <= items(); m++) {
            float[] v = taste(genreOf(m), 1.0f, 0.15f);
            float[] row = java.util.Arrays.copyOf(v, dim + 1);
            row[dim] = genreOf(m) == COMEDY ? 1.5f : (float) (random.nextGaussian() * 0.2);
            rows.put(m, row);
        }
        return rows;
    }

    /** An MF user row leaning towards a genre. */
    public float[] mfUser(int genre) {
        float[] v = taste(genre, 3.0f, 0.2f);
        return java.util.Arrays.copyOf(v, dim + 1);
    }

    /** A genre's axis times strength, plus Gaussian noise, in d = dim. */
    float[] taste(int genre, float strength, float noise) {
        float[] v = new float[dim];
        for (int k = 0; k < dim; k++) {
            v[k] = (float) (random.nextGaussian() * noise);
        }
        v[genre % dim] += strength;
        return v;
    }

    public float[] gaussian(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return v;
    }

    public static FactorRow row(long version, int count, float[] params) {
        return new FactorRow(version, count, params, new float[0]);
    }

    public static SnapshotManifest manifest(String kind, long version, int dim, long itemRows, long userRows,
                                     Map<String, SnapshotManifest.DenseWeights> dense, boolean explicit) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", kind);
        config.put("objective", explicit ? "explicit" : "implicit");
        config.put("dim", dim);
        config.put("globalOffset", 0.0);
        config.put("optimizer", "adagrad");
        config.put("negatives", 4);
        if (explicit) {
            config.put("ratingRange", List.of(0.0, 5.5));
        }
        return new SnapshotManifest("streamrec-" + kind, version, 1_700_000_000_000L + version, 100, 100 * version, 0,
                List.of(new SnapshotManifest.OffsetRange(0, 0, 0)), userRows, itemRows, config, dense, Map.of());
    }

    /** Random dense weights of a model: gmf's output layer, or an MLP tower [2e → layers...] and its output. */
    public Map<String, SnapshotManifest.DenseWeights> dense(ModelKind kind, int dim, int mlpDim, int[] layers) {
        Map<String, SnapshotManifest.DenseWeights> dense = new LinkedHashMap<>();
        int towerOut = 0;
        if (kind == ModelKind.NCF_MLP || kind == ModelKind.NEUMF) {
            int in = 2 * (kind == ModelKind.NEUMF ? mlpDim : dim);
            for (int i = 0; i < layers.length; i++) {
                dense.put("mlp." + i + ".weight", SnapshotManifest.DenseWeights.of(new int[]{layers[i], in},
                        gaussian(layers[i] * in, Math.sqrt(2.0 / in)), null));
                dense.put("mlp." + i + ".bias", SnapshotManifest.DenseWeights.of(new int[]{layers[i]},
                        gaussian(layers[i], 0.1), null));
                in = layers[i];
            }
            towerOut = in;
        }
        int gmfOut = kind == ModelKind.GMF || kind == ModelKind.NEUMF ? dim : 0;
        float[] out = gaussian(gmfOut + towerOut, 0.5);
        for (int k = 0; k < gmfOut; k++) {
            out[k] = 1 + out[k] * 0.2f;
        }
        dense.put("out.weight", SnapshotManifest.DenseWeights.of(new int[]{1, gmfOut + towerOut}, out, null));
        dense.put("out.bias", SnapshotManifest.DenseWeights.of(new int[]{1}, new float[]{0.1f}, null));
        return dense;
    }

    public static SnapshotManifest withConfig(SnapshotManifest m, String key, Object value) {
        Map<String, Object> config = new LinkedHashMap<>(m.config());
        config.put(key, value);
        return new SnapshotManifest(m.model(), m.version(), m.createdAt(), m.eventsTrained(), m.eventsTotal(),
                m.deadLettered(), m.offsets(), m.userRows(), m.itemRows(), config, m.dense(), m.metrics());
    }
}
