package io.streamrec.dataset.movielens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads MovieLens datasets in every layout GroupLens (and Kaggle) published: ml-latest-small, ml-latest and ml-25m
 * ({@code ratings.csv}), Kaggle's ml-20m ({@code rating.csv}, date-time timestamps), ml-1m ({@code ratings.dat})
 * and ml-100k ({@code u.data}), each with its movies file.
 */
public final class MovieLens {
    private MovieLens() {
    }

    /**
     * Reads the dataset in a directory: the directory holding the files, or one whose only subdirectory does (as
     * a GroupLens zip unpacks).
     *
     * @throws IllegalArgumentException when no known layout is there or a file's header is unusable
     * @throws UncheckedIOException     when a file cannot be read
     */
    public static MovieLensData read(Path dir) {
        Path home = locate(dir);
        Layout layout = layoutOf(home);
        BadRows bad = new BadRows();
        try {
            var ratings = RatingsReader.read(home.resolve(layout.ratingsFile), layout, bad);
            var movies = MoviesReader.read(home, layout, bad);
            return new MovieLensData(home, layout, ratings, movies, bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + home + ": " + e.getMessage(), e);
        }
    }

    /**
     * The directory that holds a dataset's files: {@code dir} itself or its only subdirectory.
     *
     * @throws IllegalArgumentException naming what was expected when neither holds a known layout
     */
    public static Path locate(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        if (detect(dir) != null) {
            return dir;
        }
        try (Stream<Path> children = Files.list(dir)) {
            List<Path> dirs = children.filter(Files::isDirectory).toList();
            if (dirs.size() == 1 && detect(dirs.get(0)) != null) {
                return dirs.get(0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        throw new IllegalArgumentException(dir + " holds no MovieLens dataset; expected one of: "
                + Layout.expectations());
    }

    /** The layout of the dataset in (or just under) a directory. */
    public static Layout layoutOf(Path dir) {
        return detect(locate(dir));
    }

    private static Layout detect(Path dir) {
        for (Layout l : Layout.values()) {
            if (l.matches(dir)) {
                return l;
            }
        }
        return null;
    }
}
