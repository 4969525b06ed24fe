package io.streamrec.demo;

import io.streamrec.config.Settings;
import io.streamrec.contract.Movie;
import io.streamrec.dataset.movielens.DatasetCache;
import io.streamrec.dataset.movielens.MovieLens;
import io.streamrec.dataset.movielens.MovieLensData;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.source.RatingSources;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the demo replays, found in this order: {@code demo.data} (--data DIR or STREAMREC_DEMO_DATA), the verified
 * copy of ml-latest-small in the cache, a download of it; and when all of those fail, a synthetic stream, said
 * plainly.
 *
 * @param description one line for the dashboard's header
 * @param dataset     the data's name, part of every event's id ({@code RatingSource#dataset})
 * @param synthetic   true when no MovieLens data could be had
 */
record DemoSource(String description, String dataset, RatingLog ratings, List<Movie> movies, boolean synthetic) {

    /**
     * What is cheap to check before anything starts: that {@code demo.data}, when given, holds MovieLens files. The
     * reading itself ({@link #find}) runs while Kafka starts.
     *
     * @throws IllegalArgumentException naming the setting, when it does not
     */
    static void check(Settings settings) {
        String dir = settings.optionalText("demo.data");
        if (dir != null) {
            givenData(settings, dir, () -> MovieLens.layoutOf(Path.of(dir)));
        }
    }

    static DemoSource find(Settings settings, PrintStream log) {
        String dir = settings.optionalText("demo.data");
        if (dir != null) {
            MovieLensData data = givenData(settings, dir, () -> MovieLens.read(Path.of(dir)));
            return new DemoSource("MovieLens from " + data.dir() + " (" + data.layout().description + ")",
                    data.name(), data.ratings(), data.movies(), false);
        }
        try {
            Path cached = DatasetCache.fromSettings(settings, log, false).fetch("ml-latest-small");
            MovieLensData data = MovieLens.read(cached);
            return new DemoSource("MovieLens ml-latest-small from " + data.dir() + " (checksum verified)",
                    data.name(), data.ratings(), data.movies(), false);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            log.println("demo: no MovieLens data: nothing under --data or STREAMREC_DEMO_DATA, nothing in the cache ("
                    + settings.text("data.cache-dir") + "), and the download failed (" + e.getMessage() + ").");
            String[] spec = settings.text("demo.synthetic").split("[,\\s]+");
            SyntheticRatings generator = new SyntheticRatings(SyntheticConfig.of(Integer.parseInt(spec[0]),
                    Integer.parseInt(spec[1]), Long.parseLong(spec[2]), settings.longInteger("data.seed"), settings));
            log.println("demo: RUNNING ON A SYNTHETIC STREAM instead (" + String.join(" users, ", spec[0], spec[1])
                    + " items, " + spec[2] + " ratings with planted taste topics; titles are made up).");
            return new DemoSource("SYNTHETIC stream (no MovieLens found, offline): " + spec[0] + " users, " + spec[1]
                    + " items, " + spec[2] + " ratings", RatingSources.syntheticName(generator.config()), generator.log(),
                    generator.movies(), true);
        }
    }

    /** Reads the given data; a failure names where the path came from (the flag, an environment variable, a file). */
    private static <T> T givenData(Settings settings, String dir, Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            String origin = settings.origin("demo.data");
            String given = origin.equals("flag") ? "--data " + dir + " (demo.data)"
                    : "demo.data=" + dir + " (from " + origin + ")";
            throw new IllegalArgumentException(given + ": " + e.getMessage(), e);
        }
    }
}
