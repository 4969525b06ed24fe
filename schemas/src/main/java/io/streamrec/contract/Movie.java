package io.streamrec.contract;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A catalogue entry, the value of topic {@code movies} (schema {@code movie.schema.json}).
 *
 * @param title  the title without MovieLens' trailing "(year)"
 * @param year   the release year parsed from the MovieLens title, or null
 * @param genres MovieLens genres, empty for "(no genres listed)"
 */
public record Movie(long movieId, String title, Integer year, List<String> genres) {

    private static final Pattern TITLE_YEAR = Pattern.compile("^(.*?)\\s*\\((\\d{4})(?:[-–]\\d{0,4})?\\)\\s*$");

    public Movie {
        genres = List.copyOf(genres);
    }

    public String key() {
        return Long.toString(movieId);
    }

    /**
     * Builds a movie from MovieLens' raw fields: a title such as {@code "Toy Story (1995)"} (some end in a range
     * such as {@code "(2007-)"} or carry no year at all) and pipe-separated genres.
     */
    public static Movie fromMovieLens(long movieId, String rawTitle, String pipeGenres) {
        String title = rawTitle.strip();
        Integer year = null;
        Matcher m = TITLE_YEAR.matcher(title);
        if (m.matches() && !m.group(1).isEmpty()) {
            title = m.group(1);
            year = Integer.valueOf(m.group(2));
        }
        List<String> genres = pipeGenres == null || pipeGenres.isBlank() || pipeGenres.equals("(no genres listed)")
                ? List.of()
                : List.of(pipeGenres.split("\\|"));
        return new Movie(movieId, title, year, genres);
    }
}
