package io.streamrec.dataset.movielens;

import java.nio.file.Files;
import java.nio.file.Path;

/** The file layouts MovieLens has been published in, told apart by their file names. */
public enum Layout {
    /** ml-latest-small, ml-latest, ml-25m and GroupLens' ml-20m: CSV with a header, epoch seconds. */
    MOVIELENS_CSV("ratings.csv", "movies.csv", true, ",", ",", "CSV (ml-latest-small, ml-25m)"),
    /** Kaggle's copy of ml-20m: CSV with a header, timestamps as "YYYY-MM-DD HH:MM:SS" in UTC. */
    KAGGLE_CSV("rating.csv", "movie.csv", true, ",", ",", "Kaggle CSV (ml-20m, date-time timestamps)"),
    /** ml-1m and ml-10m: {@code ::}-separated, no header, Latin-1 titles. */
    DAT("ratings.dat", "movies.dat", false, "::", "::", "'::'-separated .dat (ml-1m)"),
    /** ml-100k: tab-separated u.data; u.item is pipe-separated Latin-1 with 19 genre flags named by u.genre. */
    ML_100K("u.data", "u.item", false, "\t", "|", "ml-100k (u.data, u.item, u.genre)");

    public final String ratingsFile;
    public final String moviesFile;
    public final String description;
    /** CSV: a header row naming the columns, and fields that may be quoted. */
    final boolean csv;
    final String ratingsSeparator;
    final String moviesSeparator;

    Layout(String ratingsFile, String moviesFile, boolean csv, String ratingsSeparator, String moviesSeparator,
           String description) {
        this.ratingsFile = ratingsFile;
        this.moviesFile = moviesFile;
        this.csv = csv;
        this.ratingsSeparator = ratingsSeparator;
        this.moviesSeparator = moviesSeparator;
        this.description = description;
    }

    /** Whether the directory holds this layout's ratings and movies files. */
    public boolean matches(Path dir) {
        return Files.isRegularFile(dir.resolve(ratingsFile)) && Files.isRegularFile(dir.resolve(moviesFile));
    }

    /** What a directory must contain, for error messages. */
    static String expectations() {
        StringBuilder sb = new StringBuilder();
        for (Layout l : values()) {
            sb.append(sb.length() == 0 ? "" : "; ").append(l.ratingsFile).append(" + ").append(l.moviesFile)
                    .append(" (").append(l.description).append(')');
        }
        return sb.toString();
    }
}
