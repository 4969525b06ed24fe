package io.streamrec.dataset.movielens;

import io.streamrec.contract.Movie;
import io.streamrec.dataset.RatingLog;

import java.nio.file.Path;
import java.util.List;

/**
 * A MovieLens dataset as read: its ratings ordered by time, its movies ordered by id, and every row skipped.
 *
 * @param dir     the directory the files were read from
 * @param layout  which of the published layouts it is
 * @param ratings every valid rating, ordered by event time (ties in file order), timestamps in epoch ms
 * @param movies  every valid movie, ordered by movieId
 * @param badRows the rows skipped in both files, with line numbers and reasons
 */
public record MovieLensData(Path dir, Layout layout, RatingLog ratings, List<Movie> movies, BadRows badRows) {

    /** The dataset's name, its directory's ({@code ml-latest-small}), wherever that directory is. */
    public String name() {
        return dir.getFileName().toString();
    }
    public MovieLensData {
        movies = List.copyOf(movies);
    }
}
