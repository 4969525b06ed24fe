package io.streamrec.score.state;

import io.streamrec.contract.Movie;

import java.util.concurrent.ConcurrentHashMap;

/** Titles and genres of the catalogue (topic {@code movies}), on every instance; written by the global thread. */
public final class Catalog {
    /**
     * A movie and its title as lists show it, made once when the movie arrives: every list carries ten titles, and
     * building each per list (a concatenation and an int's digits) took 4 % of the rescoring thread in JFR.
     */
    private record Entry(Movie movie, String title) {
    }

    private final ConcurrentHashMap<Long, Entry> movies = new ConcurrentHashMap<>();

    public void put(Movie movie) {
        String shown = movie.year() == null ? movie.title() : movie.title() + " (" + movie.year() + ")";
        movies.put(movie.movieId(), new Entry(movie, shown));
    }

    public void remove(long movieId) {
        movies.remove(movieId);
    }

    /** The movie, or null when the catalogue has not told us about it (yet). */
    public Movie get(long movieId) {
        Entry e = movies.get(movieId);
        return e == null ? null : e.movie();
    }

    /** The title as lists show it, "Title (year)", or null when unknown. */
    public String title(long movieId) {
        Entry e = movies.get(movieId);
        return e == null ? null : e.title();
    }

    public int size() {
        return movies.size();
    }
}
