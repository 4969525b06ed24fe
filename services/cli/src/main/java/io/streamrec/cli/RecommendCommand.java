package io.streamrec.cli;

import io.streamrec.config.SettingsOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.config.Settings;
import io.streamrec.contract.JsonSchemas;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code streamrec recommend USER}: a user's top-K from a running scorer, with titles and genres, beside the
 * movies the user rated highest (as reference notebook 004 shows them).
 */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = {"Asks a running scorer (./streamrec score) for a user's recommendations and prints them with "
                + "titles and genres, beside the movies the user rated highest.",
                "Any scorer instance answers for any user. Exits 1 when the scorer has no list for the user, 4 when "
                        + "no scorer answers, 5 when it answers with an error."})
public final class RecommendCommand implements Callable<Integer> {
    private static final int COLUMN = 56;

    @Mixin
    SettingsOptions settings;

    @Parameters(paramLabel = "USER", description = "The user id, a positive whole number.")
    long user;

    @Option(names = "--url", paramLabel = "URL",
            description = "A scorer's query address (default http://scorer.http.host:scorer.http.port).")
    String url;

    @Spec
    CommandSpec spec;

    /**
     * Built when the command runs, not with it: picocli constructs every subcommand at every start, and building an
     * HttpClient sets TLS up, which took about 0.1 s of every command's start (the demo's too; JFR).
     */
    private HttpClient http;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (user <= 0) {
            throw new ParameterException(spec.commandLine(), "USER must be a positive whole number, not " + user);
        }
        Settings s = settings.load();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = url != null ? url.replaceAll("/+$", "")
                : "http://" + s.text("scorer.http.host") + ":" + s.text("scorer.http.port");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HttpResponse<String> recs;
        try {
            recs = get(base + "/users/" + user + "/recommendations");
        } catch (ConnectException | HttpTimeoutException e) {
            err.println("streamrec recommend: no scorer answered at " + base + " (" + (e instanceof ConnectException
                    ? "connection refused" : "no answer in time") + "). Start one with ./streamrec score (or"
                    + " ./streamrec demo --keep-running), or name yours with --url.");
            return ExitCode.SCORER_UNREACHABLE.code;
        }
        if (recs.statusCode() == 404) {
            err.println("streamrec recommend: the scorer at " + base + " has no list for user " + user + ": "
                    + errorOf(recs.body()));
            return ExitCode.FAILED.code;
        }
        if (recs.statusCode() != 200) {
            err.println("streamrec recommend: the scorer at " + base + " answered HTTP " + recs.statusCode() + ": "
                    + errorOf(recs.body()));
            return ExitCode.SCORER_ERROR.code;
        }
        JsonNode list = JsonSchemas.MAPPER.readTree(recs.body());
        JsonNode rated = JsonSchemas.MAPPER.readTree(get(base + "/users/" + user + "/ratings").body()).path("ratings");

        List<String[]> left = new ArrayList<>();
        for (JsonNode item : list.get("items")) {
            JsonNode movie = movie(base, item.get("movieId").asLong());
            String title = item.hasNonNull("title") ? item.get("title").asText() : "movie " + item.get("movieId").asLong();
            String score = String.format(" %.3f", item.get("score").asDouble());
            left.add(new String[]{String.format("%2d  %s", left.size() + 1, fit(title, COLUMN - 4 - score.length()))
                    + " ".repeat(Math.max(0, COLUMN - 4 - score.length() - Math.min(title.length(), COLUMN - 4 - score.length())))
                    + score, "    #" + item.get("movieId").asLong() + "  " + genres(movie)});
        }
        List<String[]> right = new ArrayList<>();
        for (int i = 0; i < rated.size() && i < list.get("items").size(); i++) {
            JsonNode r = rated.get(i);
            String title = r.hasNonNull("title") ? r.get("title").asText() : "movie " + r.get("movieId").asLong();
            right.add(new String[]{String.format("%.1f  %s", r.get("rating").asDouble(), title),
                    "     #" + r.get("movieId").asLong() + "  " + (r.has("genres") ? String.join("|", texts(r.get("genres"))) : "")});
        }

        out.printf("User %d: %s list, model v%d, computed %s%n%n", user, list.get("source").asText(),
                list.get("modelVersion").asLong(), Instant.ofEpochMilli(list.get("generatedAt").asLong()));
        out.printf("%-" + COLUMN + "s | %s%n", "Recommended" + " ".repeat(COLUMN - 16) + "score",
                "Rated highest (" + rated.size() + " rated in all)");
        out.println("-".repeat(COLUMN) + "-+-" + "-".repeat(COLUMN));
        for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
            for (int line = 0; line < 2; line++) {
                String l = i < left.size() ? left.get(i)[line] : "";
                String r = i < right.size() ? right.get(i)[line] : "";
                out.printf("%-" + COLUMN + "s | %s%n", fit(l, COLUMN), fit(r, COLUMN));
            }
        }
        out.flush();
        return ExitCode.OK.code;
    }

    private JsonNode movie(String base, long movieId) throws IOException, InterruptedException {
        HttpResponse<String> r = get(base + "/movies/" + movieId);
        return r.statusCode() == 200 ? JsonSchemas.MAPPER.readTree(r.body()) : null;
    }

    private static String genres(JsonNode movie) {
        if (movie == null) {
            return "(not in the catalogue)";
        }
        List<String> g = texts(movie.get("genres"));
        return g.isEmpty() ? "(no genres listed)" : String.join("|", g);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String fit(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

    private static String errorOf(String body) {
        try {
            JsonNode n = JsonSchemas.MAPPER.readTree(body);
            return n.has("error") ? n.get("error").asText() : body;
        } catch (IOException e) {
            return body;
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
