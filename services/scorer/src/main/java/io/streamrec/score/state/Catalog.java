package io.streamrec.score.state;

import io.streamrec.contract.Movie;

import java.util.concurrent.ConcurrentHashMap;

/** Titles and genres of the catalogue (topic {@code movies}), on every instance; written by the global thread. */
public final class Catalog {
    private final ConcurrentHashMap<Long, Movie> movies = new ConcurrentHashMap<>();

    public void put(Movie movie) {
        movies.put(movie.movieId(), movie);
    }

    public void remove(long movieId) {
        movies.remove(movieId);
    }

    /** The movie, or null when the catalogue has not told us about it (yet). */
   public Movie get(long movieId) {
        return movies.get(movieId);
    }

    /** The title as lists show it, "Title (year)", or null when unknown. */
    public String title(long movieId) {
        Movie m = movies.get(movieId);
        if (m == null) {
            return null;
        }
        return m.year() == null ? m.title() : m.title() + " (" + m.year() + ")";
    }

    public int size() {
        return movies.size();
    }
}
