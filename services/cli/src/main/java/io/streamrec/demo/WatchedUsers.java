package io.streamrec.demo;

import io.streamrec.contract.Movie;
import io.streamrec.dataset.RatingLog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users the dashboard follows: those whose ratings are spread furthest across the replay, so their lists
 * change while the demo runs; what each has rated so far, counted from the ratings topic (the replay's ratings
 * and any produced from outside).
 */
final class WatchedUsers {
    private final List<Long> users;
    private final Map<Long, int[]> counts = new ConcurrentHashMap<>();
    private final Map<Long, String> last = new ConcurrentHashMap<>();
    private final Map<Long, Movie> movies;

    WatchedUsers(List<Long> users, Map<Long, Movie> movies) {
        this.users = List.copyOf(users);
        this.movies = movies;
        users.forEach(u -> counts.put(u, new int[1]));
    }

    /** The given users, or the {@code n} with the widest spread of ratings over the log (at least 20 ratings). */
    static List<Long> choose(RatingLog log, List<Long> given, int n) {
        if (!given.isEmpty()) {
            return given;
        }
        Map<Long, int[]> span = new HashMap<>();
        for (int i = 0; i < log.size(); i++) {
            int[] s = span.computeIfAbsent(log.userId(i), k -> new int[]{Integer.MAX_VALUE, 0, 0});
            s[0] = Math.min(s[0], i);
            s[1] = i;
            s[2]++;
        }
        List<Map.Entry<Long, int[]>> candidates = new ArrayList<>(span.entrySet());
        candidates.removeIf(e -> e.getValue()[2] < 20);
        candidates.sort(Comparator.comparingInt((Map.Entry<Long, int[]> e) -> e.getValue()[1] - e.getValue()[0]).reversed()
                .thenComparing(Map.Entry::getKey));
        return candidates.stream().limit(n).map(Map.Entry::getKey).toList();
    }

    List<Long> users() {
        return users;
    }

    /** Called for every valid rating of a watched user on the ratings topic. */
    void onRating(long user, long movie, float stars) {
        int[] c = counts.get(user);
        if (c != null) {
            c[0]++;
            Movie m = movies.get(movie);
            last.put(user, String.format(Locale.ROOT, "%s %.1f", m == null ? "movie " + movie : m.title(), stars));
        }
    }

    int rated(long user) {
        return counts.get(user)[0];
    }

    String lastRated(long user) {
        return last.getOrDefault(user, "nothing yet");
    }

    static Map<Long, Movie> byId(List<Movie> movies) {
        Map<Long, Movie> m = new LinkedHashMap<>();
        movies.forEach(x -> m.put(x.movieId(), x));
        return m;
    }
}
