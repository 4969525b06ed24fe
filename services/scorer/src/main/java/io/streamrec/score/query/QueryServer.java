package io.streamrec.score.query;

import io.streamrec.score.stream.UserProcessor;
import io.streamrec.score.state.Ids;
import io.streamrec.score.state.Trigger;
import io.streamrec.score.state.Recommender;
import io.streamrec.score.state.UserHistory;
import io.streamrec.score.state.ScorerState;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interactive queries over HTTP, served by every instance:
 * <ul>
 *   <li>{@code GET /users/{id}/recommendations}: the user's list computed now from the state the owning instance
 *       holds (trigger {@code request}), JSON per recommendation.schema.json. Another instance's user is fetched
 *       from that instance ({@link KafkaStreams#queryMetadataForKey}, addresses from {@code application.server}).
 *       404 for a user with neither ratings nor factors: a popularity list would look like a real answer to a
 *       mistyped id; new users get one in {@code recommendations} as soon as they rate anything.</li>
 *   <li>{@code GET /users/{id}/ratings}: the items the user rated, best first, with titles and genres.</li>
 *   <li>{@code GET /movies/{id}}: a catalogue entry (movie.schema.json).</li>
 *   <li>{@code GET /health}: the Kafka Streams state, the served model version, item and movie counts.</li>
 * </ul>
 * 503 (with Retry-After) while the owner of a user is unknown, for example during a rebalance.
 */
public final class QueryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryServer.class);
    private static final Pattern USER = Pattern.compile("^/users/([^/]+)/(recommendations|ratings)/?$");
    private static final Pattern MOVIE = Pattern.compile("^/movies/([^/]+)/?$");
    /** Marks a request one instance forwarded to another, so a stale routing table cannot bounce it forever. */
    private static final String FORWARDED = "X-Streamrec-Forwarded";
    private static final int THREADS = 4;

    private final ScorerState state;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ThreadLocal<Recommender> recommenders;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;

    public QueryServer(ScorerState state, String host, int port) {
        this.state = state;
        this.recommenders = ThreadLocal.withInitial(() -> new Recommender(state));
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve interactive queries on " + host + ":" + port
                    + " (set scorer.http.port to another port, or 0 for any free one)", e);
        }
        executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "scorer-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Starts answering, for the given Kafka Streams instance reachable by others at {@code self}. */
    public void start(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                reply(exchange, 405, error("only GET is served"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Matcher user = USER.matcher(path);
            Matcher movie = MOVIE.matcher(path);
            if (user.matches()) {
                long userId = Ids.parse(user.group(1));
                if (userId < 0) {
                    reply(exchange, 400, error("'" + user.group(1) + "' is not a user id (a positive integer)"));
                } else {
                    user(exchange, userId, user.group(2).equals("recommendations"));
                }
            } else if (movie.matches()) {
                movie(exchange, movie.group(1));
            } else if (path.equals("/health")) {
                health(exchange);
            } else {
                reply(exchange, 404, error("no such endpoint; try /users/{id}/recommendations, /users/{id}/ratings, "
                        + "/movies/{id} or /health"));
            }
        } catch (RuntimeException e) {
            log.warn("query {} failed", exchange.getRequestURI(), e);
            reply(exchange, 500, error(e.toString()));
        }
    }

    private void user(HttpExchange exchange, long userId, boolean recommendations) throws IOException {
        KafkaStreams ks = streams;
        String key = Long.toString(userId);
        KeyQueryMetadata owner = ks.queryMetadataForKey(UserProcessor.HISTORIES, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            unavailable(exchange, "the owner of user " + userId + " is not known yet (Kafka Streams is "
                    + ks.state() + ")");
            return;
        }
        if (!owner.activeHost().equals(self)) {
            if (exchange.getRequestHeaders().containsKey(FORWARDED)) {
                unavailable(exchange, "user " + userId + " moved while the request was forwarded");
                return;
            }
            forward(exchange, owner.activeHost());
            return;
        }
        byte[] historyBytes;
        byte[] rowBytes;
        try {
            historyBytes = local(UserProcessor.HISTORIES, owner.partition()).get(key);
            rowBytes = local(UserProcessor.ROWS, owner.partition()).get(key);
        } catch (InvalidStateStoreException e) {
            unavailable(exchange, "user " + userId + "'s partition is not queryable here right now: " + e.getMessage());
            return;
        }
        if (historyBytes == null && rowBytes == null) {
            reply(exchange, 404, error("user " + userId + " has no ratings and no factors"));
            return;
        }
        UserHistory history = historyBytes == null ? null : UserHistory.decode(historyBytes);
        if (recommendations) {
            FactorRow row = rowBytes == null ? null : FactorRow.decode(rowBytes);
            Recommendation list = recommenders.get().recommend(
                    new Recommender.UserState(userId, history, row, Trigger.REQUEST, null), System.currentTimeMillis());
            reply(exchange, 200, Topics.RECOMMENDATIONS.valueSerde().serializer().serialize(Topics.RECOMMENDATIONS.name(), list));
        } else {
            reply(exchange, 200, ratings(userId, history));
        }
    }

    private byte[] ratings(long userId, UserHistory h) throws IOException {
        record Rated(long movieId, float stars, int order) {
        }
        List<Rated> rated = new ArrayList<>();
        for (int i = 0; h != null && i < h.size(); i++) {
            rated.add(new Rated(h.movieId(i), h.stars(i), i));
        }
        rated.sort(Comparator.comparingDouble((Rated r) -> -r.stars()).thenComparingInt(r -> -r.order()));
        ObjectNode root = JsonSchemas.MAPPER.createObjectNode();
        root.put("userId", userId);
        ArrayNode list = root.putArray("ratings");
        for (Rated r : rated) {
            ObjectNode item = list.addObject();
            item.put("movieId", r.movieId());
            item.put("rating", r.stars());
            Movie m = state.catalog.get(r.movieId());
            if (m != null) {
                item.put("title", state.catalog.title(r.movieId()));
                ArrayNode genres = item.putArray("genres");
                m.genres().forEach(genres::add);
            }
        }
        return JsonSchemas.MAPPER.writeValueAsBytes(root);
    }

    private void movie(HttpExchange exchange, String id) throws IOException {
        long movieId = Ids.parse(id);
        Movie m = movieId < 0 ? null : state.catalog.get(movieId);
        if (m == null) {
            reply(exchange, 404, error("movie '" + id + "' is not in the catalogue"));
            return;
        }
        reply(exchange, 200, Topics.MOVIES.valueSerde().serializer().serialize(Topics.MOVIES.name(), m));
    }

    private void health(HttpExchange exchange) throws IOException {
        ObjectNode root = JsonSchemas.MAPPER.createObjectNode();
        root.put("state", streams.state().name());
        root.put("activeTasks", streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum());
        root.put("modelVersion", state.items.version());
        root.put("completeVersion", state.items.completeVersion());
        root.put("items", state.items.table().liveCount());
        root.put("movies", state.catalog.size());
        reply(exchange, streams.state() == KafkaStreams.State.RUNNING ? 200 : 503,
                JsonSchemas.MAPPER.writeValueAsBytes(root));
    }

    private ReadOnlyKeyValueStore<String, byte[]> local(String store, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, byte[]>keyValueStore())
                .withPartition(partition));
    }

    private void forward(HttpExchange exchange, HostInfo owner) throws IOException {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + exchange.getRequestURI().getRawPath());
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header(FORWARDED, self.toString())
                .GET().build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            reply(exchange, response.statusCode(), response.body());
        } catch (IOException e) {
            unavailable(exchange, "the owning instance " + owner + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable(exchange, "interrupted while asking " + owner);
        }
    }

    private static void unavailable(HttpExchange exchange, String why) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", "1");
        reply(exchange, 503, error(why));
    }

    private static byte[] error(String message) {
        ObjectNode node = JsonSchemas.MAPPER.createObjectNode().put("error", message);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
