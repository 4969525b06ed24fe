package io.streamrec.dataset.source;

import io.streamrec.config.Settings;
import io.streamrec.console.ProgressBar;
import io.streamrec.dataset.RatingCursor;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.movielens.BadRows;
import io.streamrec.dataset.movielens.DatasetCache;
import io.streamrec.dataset.movielens.MovieLens;
import io.streamrec.dataset.movielens.MovieLensData;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;

import java.io.PrintStream;
import java.nio.file.Path;

/** The {@link RatingSource}s the replayer can send: a MovieLens dataset (from a directory or the cache) or a synthetic stream. */
public final class RatingSources {
    private RatingSources() {
    }

    /**
     * What is cheap to check before anything starts (a broker looked for, a file read): exactly one source named, a
     * valid user sample, a well-formed synthetic spec, and a data.dir that holds MovieLens files.
     *
     * @throws IllegalArgumentException when none or several are set, or a value is malformed
     */
    public static void check(Settings settings) {
        String data = settings.optionalText("data.dir");
        String dataset = settings.optionalText("data.name");
        String synthetic = settings.optionalText("data.synthetic");
        int given = (data != null ? 1 : 0) + (dataset != null ? 1 : 0) + (synthetic != null ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException((given == 0 ? "nothing to replay" : "more than one source to replay")
                    + ": give exactly one of --data DIR, --dataset NAME or --synthetic USERS ITEMS EVENTS"
                    + " (data.dir, data.name, data.synthetic)");
        }
        double fraction = settings.decimal("data.sample-users");
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("data.sample-users must be in (0, 1], got " + fraction);
        }
        if (synthetic != null) {
            syntheticConfig(synthetic, settings.longInteger("data.seed"), settings);
        } else if (data != null) {
            MovieLens.layoutOf(Path.of(data));
        }
    }

    /**
     * The source the settings name: data.dir, data.name or data.synthetic (exactly one, {@link #check}), with the
     * user sample of data.sample-users and data.seed.
     *
     * @param log where reading and download messages go (stderr in the command)
     * @throws IllegalArgumentException when none or several are set, or a value is malformed
     */
    public static RatingSource fromSettings(Settings settings, PrintStream log) {
        check(settings);
        String data = settings.optionalText("data.dir");
        String synthetic = settings.optionalText("data.synthetic");
        double fraction = settings.decimal("data.sample-users");
        long seed = settings.longInteger("data.seed");
        if (synthetic != null) {
            return synthetic(new SyntheticRatings(syntheticConfig(synthetic, seed, settings)), fraction, seed);
        }
        Path dir = data != null ? Path.of(data)
                : DatasetCache.fromSettings(settings, log, settings.flag("replay.progress") && ProgressBar.terminalAttached())
                .fetch(settings.optionalText("data.name"));
        log.println("reading " + MovieLens.locate(dir) + " (" + MovieLens.layoutOf(dir).description + ")");
        return movieLens(MovieLens.read(dir), fraction, seed);
    }

    /** A MovieLens dataset: all its movies, and the ratings of a user sample (fraction 1 keeps everyone). */
    public static RatingSource movieLens(MovieLensData data, double fraction, long seed) {
        RatingLog ratings = data.ratings().sampleUsers(fraction, seed);
        return new RatingSource(data.dir() + sampleText(fraction, seed), data.name(), data.movies(), ratings.cursor(),
                data.badRows());
    }

    /** A synthetic stream, generated while it is sent (bounded memory at any length), with its catalogue. */
    public static RatingSource synthetic(SyntheticRatings generator, double fraction, long seed) {
        SyntheticConfig c = generator.config();
        String name = String.format("synthetic stream: %,d users, %,d items, %,d events, %d topics, seed %d%s",
                c.users(), c.items(), c.events(), c.topics(), c.seed(), sampleText(fraction, seed));
        return new RatingSource(name, syntheticName(c), generator.movies(),
                RatingCursor.sampleUsers(generator.cursor(), fraction, seed), BadRows.none());
    }

    /** A synthetic stream's dataset name: what it is generated from ("synthetic-610-9742-100836-20-42"). */
    public static String syntheticName(SyntheticConfig c) {
        return String.join("-", "synthetic", Integer.toString(c.users()), Integer.toString(c.items()),
                Long.toString(c.events()), Integer.toString(c.topics()), Long.toString(c.seed()));
    }

    /** Parses "USERS,ITEMS,EVENTS" (commas or spaces; underscores allowed in numbers). */
    static SyntheticConfig syntheticConfig(String spec, long seed, Settings settings) {
        String[] parts = spec.strip().replace("_", "").split("[,\\s]+");
        if (parts.length != 3) {
            throw new IllegalArgumentException("data.synthetic must be USERS,ITEMS,EVENTS, got '" + spec + "'");
        }
        try {
            return SyntheticConfig.of(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Long.parseLong(parts[2]),
                    seed, settings);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("data.synthetic must be three whole numbers USERS,ITEMS,EVENTS, got '"
                    + spec + "'");
        }
    }

    private static String sampleText(double fraction, long seed) {
        return fraction >= 1 ? "" : String.format(", users sampled at %.3g with seed %d", fraction, seed);
    }
}
