package io.streamrec.dataset.source;

import io.streamrec.contract.Movie;
import io.streamrec.dataset.RatingCursor;
import io.streamrec.dataset.movielens.BadRows;

import java.util.List;

/**
 * What one replay sends: a catalogue (possibly empty) and a pass over ratings in time order, with the rows that
 * were skipped while reading them.
 *
 * @param name    where the events come from, for the summary ("ml-latest-small at /data/...", "synthetic ...")
 * @param dataset which data this is, whatever directory it was read from and whichever users were sampled
 *                ("ml-latest-small", "synthetic-610-9742-100836-20-42"): part of every event's id
 * @param movies  produced to {@code movies} before any rating
 * @param ratings produced to {@code ratings} in the cursor's order
 * @param badRows rows skipped while reading the source
 */
public record RatingSource(String name, String dataset, List<Movie> movies, RatingCursor ratings, BadRows badRows) {
    public RatingSource {
        movies = List.copyOf(movies);
    }
}
