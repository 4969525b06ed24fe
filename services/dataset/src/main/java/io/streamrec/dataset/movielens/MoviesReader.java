package io.streamrec.dataset.movielens;

import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Movie;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a MovieLens movies file of any layout into contract {@link Movie}s: the title without its "(year)", the
 * year, the genres. A row is skipped and reported when its id is not a positive integer, it has the wrong number
 * of fields, its id repeats an earlier row, or the movie it makes breaks {@code movie.schema.json}.
 */
final class MoviesReader {
    /** ml-100k's u.item: id, title, release date, video release date, IMDb URL, then one flag per genre. */
    private static final int ITEM_FIXED_FIELDS = 5;
    /** ml-100k's "no genre" flag, which the CSV sets spell "(no genres listed)"; both become an empty list. */
    private static final String UNKNOWN_GENRE = "unknown";
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec"};

    private MoviesReader() {
    }

    static List<Movie> read(Path dir, Layout layout, BadRows bad) throws IOException {
        Path file = dir.resolve(layout.moviesFile);
        List<Movie> movies = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        Fields f = new Fields(layout.moviesSeparator, layout.csv);
        List<String> genreNames = layout == Layout.ML_100K ? genresOf(dir.resolve("u.genre")) : List.of();
        int width = layout == Layout.ML_100K ? ITEM_FIXED_FIELDS + genreNames.size() : 3;
        int[] column = {0, 1, 2};
        try (Lines lines = new Lines(file)) {
            if (layout.csv) {
                if (!lines.next()) {
                    return movies;
                }
                f.split(lines.bytes(), lines.start, lines.end);
                width = f.count();
                column = f.columns(lines, "movieId", "title", "genres");
            }
            while (lines.next()) {
                if (lines.end == lines.start) {
                    continue;
                }
                f.split(lines.bytes(), lines.start, lines.end);
                String problem;
                if (f.malformedQuotes()) {
                    problem = "unbalanced quotes";
                } else if (f.count() != width) {
                    problem = "expected " + width + " fields, found " + f.count();
                } else {
                    problem = layout == Layout.ML_100K
                            ? addItem(f, genreNames, movies, seen)
                            : add(f.text(column[0]), f.text(column[1]), f.text(column[2]), movies, seen);
                }
                if (problem != null) {
                    bad.add(lines.file(), lines.number, problem, lines.text());
                }
            }
        }
        movies.sort(Comparator.comparingLong(Movie::movieId));
        return movies;
    }

    private static String add(String id, String title, String pipeGenres, List<Movie> movies, Set<Long> seen) {
        long movieId = movieId(id);
        if (movieId <= 0) {
            return "movieId '" + id + "' is not a positive integer";
        }
        return accept(Movie.fromMovieLens(movieId, title, pipeGenres), movies, seen);
    }

    private static String addItem(Fields f, List<String> genreNames, List<Movie> movies, Set<Long> seen) {
        long movieId = movieId(f.text(0));
        if (movieId <= 0) {
            return "movieId '" + f.text(0) + "' is not a positive integer";
        }
        StringBuilder genres = new StringBuilder();
        for (int g = 0; g < genreNames.size(); g++) {
            String flag = f.text(ITEM_FIXED_FIELDS + g);
            if (!flag.equals("0") && !flag.equals("1")) {
                return "genre flag " + genreNames.get(g) + " is '" + flag + "', not 0 or 1";
            }
            if (flag.equals("1") && !genreNames.get(g).equals(UNKNOWN_GENRE)) {
                genres.append(genres.length() == 0 ? "" : "|").append(genreNames.get(g));
            }
        }
        Movie m = Movie.fromMovieLens(movieId, f.text(1), genres.toString());
        if (m.year() == null) {
            // Some ml-100k titles lack the "(year)" the others carry; the release date column still has it.
            m = new Movie(m.movieId(), m.title(), releaseYear(f.text(2)), m.genres());
        }
        return accept(m, movies, seen);
    }

    private static String accept(Movie m, List<Movie> movies, Set<Long> seen) {
        Set<String> violations = JsonSchemas.MOVIE.violations(JsonSchemas.MAPPER.valueToTree(m));
        if (!violations.isEmpty()) {
            return "breaks movie.schema.json: " + String.join("; ", violations);
        }
        if (!seen.add(m.movieId())) {
            return "movieId " + m.movieId() + " appears again; the first row is kept";
        }
        movies.add(m);
        return null;
    }

    private static long movieId(String text) {
        byte[] b = text.strip().getBytes(StandardCharsets.US_ASCII);
        return RatingsReader.positiveInteger(b, 0, b.length);
    }

    /** The year of an ml-100k release date such as "01-Jan-1995", or null. */
    static Integer releaseYear(String date) {
        String[] parts = date.strip().split("-");
        if (parts.length != 3 || parts[2].length() != 4 || !List.of(MONTHS).contains(parts[1])) {
            return null;
        }
        try {
            return Integer.valueOf(parts[2]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** ml-100k's u.genre: "name|index" lines, the flags' order in u.item. */
    private static List<String> genresOf(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is missing: ml-100k's u.item flags genres by their position"
                    + " in u.genre");
        }
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split("\\|");
            int index;
            try {
                index = Integer.parseInt(parts[parts.length - 1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": '" + line + "' is not 'name|index'");
            }
            if (parts.length != 2 || index != names.size()) {
                throw new IllegalArgumentException(file + ": '" + line + "' is not 'name|" + names.size() + "'");
            }
            names.add(parts[0].strip());
        }
        return names;
    }
}
