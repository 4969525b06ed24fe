package io.streamrec.score.query;

import io.streamrec.score.stream.UserProcessor;
import io.streamrec.score.state.Ids;
import io.streamrec.score.state.Trigger;
import io.streamrec.score.state.Recommender;
import io.streamrec.score.state.UserHistory;
import io.streamrec.score.state.ScorerState;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import io.streamrec.http.HttpConfig;
import io.streamrec.http.HttpEndpoint;
import io.streamrec.http.HttpEndpoint.Incoming;
import io.streamrec.http.HttpEndpoint.Reply;
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
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interactive queries over HTTP, served by every instance:
 * <ul>
 *   <li>{@code GET /users/{id}/recommendations}: the list the owning instance last sent to {@code recommendations}
 *       for the user ({@link io.streamrec.score.state.SentLists}), JSON per recommendation.schema.json; one computed
 *       now from the state it holds (trigger {@code request}) when it sent none since it took the user's partition
 *       (after a restart or a rebalance, until the next list). Another instance's user is fetched
 *       from that instance ({@link KafkaStreams#queryMetadataForKey}, addresses from {@code application.server}).
 *       404 for a user with neither ratings nor factors: a popularity list would look like a real answer to a
 *       mistyped id; new users get one in {@code recommendations} as soon as they rate anything.</li>
 *   <li>{@code GET /users/{id}/ratings}: the items the user rated, best first, with titles and genres.</li>
 *   <li>{@code GET /movies/{id}}: a catalogue entry (movie.schema.json).</li>
 *   <li>{@code GET /health}: the Kafka Streams state, the served model version, item and movie counts; 503 with
 *       the problems while Kafka Streams is not running or Kafka does not answer ({@code ScorerApp.problems}).</li>
 * </ul>
 * 503 (with Retry-After) while the owner of a user is unknown, for example during a rebalance, and before Kafka
 * Streams is started. Served by {@link HttpEndpoint} with the {@code http.*} limits; with a bearer token configured,
 * every path but {@code /health} needs it, and forwarded queries carry it.
 */
public final class QueryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryServer.class);
    private static final Pattern USER = Pattern.compile("^/users/([^/]+)/(recommendations|ratings)/?$");
    private static final Pattern MOVIE = Pattern.compile("^/movies/([^/]+)/?$");
    /** Marks a request one instance forwarded to another, so a stale routing table cannot bounce it forever. */
    private static final String FORWARDED = "X-Streamrec-Forwarded";
    private static final String HEALTH = "/health";

    private final ScorerState state;
    private final HttpConfig http;
    private final HttpEndpoint endpoint;
    private final HttpClient client;
    private final ThreadLocal<Recommender> recommenders;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;
    private volatile Supplier<Map<String, String>> problems;

    /** Binds the port at once (its number goes into Kafka Streams' application.server); answers 503 until started. */
    public QueryServer(ScorerState state, HttpConfig http, String host, int port) {
        this.state = state;
        this.http = http;
        this.recommenders = ThreadLocal.withInitial(() -> new Recommender(state));
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (http.tls()) {
            client.sslContext(http.clientSslContext());
        }
        this.client = client.build();
        try {
            this.endpoint = HttpEndpoint.start("scorer-queries", http, host, port, false, Set.of(HEALTH), this::handle);
        } catch (HttpEndpoint.PortInUse e) {
            // A second scorer on one machine needs a port of its own: say how, not just that it failed.
            throw new UncheckedIOException(e.getMessage() + "; give this one another with --http-port"
                    + " (scorer.http.port), or 0 for any free port", e.getCause());
        }
    }

    public int port() {
        return endpoint.port();
    }

    /** http, or https with TLS on. */
    public String scheme() {
        return http.scheme();
    }

    /**
     * Starts answering, for the given Kafka Streams instance reachable by others at {@code self}; {@code /health}
     * answers 503 with {@code problems} while there are any.
     */
    public void start(KafkaStreams streams, HostInfo self, Supplier<Map<String, String>> problems) {
        this.self = self;
        this.problems = problems;
        this.streams = streams;
    }

    private Reply handle(Incoming request) throws IOException {
        try {
            if (!request.method().equals("GET")) {
                return Reply.json(405, error("only GET is served"));
            }
            if (streams == null) {
                return unavailable("starting: Kafka Streams is not running yet");
            }
            String path = request.path();
            Matcher user = USER.matcher(path);
            Matcher movie = MOVIE.matcher(path);
            if (user.matches()) {
                long userId = Ids.parse(user.group(1));
                return userId < 0 ? Reply.json(400, error("'" + user.group(1) + "' is not a user id (a positive integer)"))
                        : user(request, userId, user.group(2).equals("recommendations"));
            } else if (movie.matches()) {
                return movie(movie.group(1));
            } else if (path.equals(HEALTH)) {
                return health();
            }
            return Reply.json(404, error("no such endpoint; try /users/{id}/recommendations, /users/{id}/ratings, "
                    + "/movies/{id} or /health"));
        } catch (RuntimeException e) {
            log.warn("query {} failed", request.path(), e);
            return Reply.json(500, error(e.toString()));
        }
    }

    private Reply user(Incoming request, long userId, boolean recommendations) throws IOException {
        KafkaStreams ks = streams;
        String key = Long.toString(userId);
        KeyQueryMetadata owner = ks.queryMetadataForKey(UserProcessor.HISTORIES, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return unavailable("the owner of user " + userId + " is not known yet (Kafka Streams is " + ks.state() + ")");
        }
        if (!owner.activeHost().equals(self)) {
            if (request.header().apply(FORWARDED) != null) {
                return unavailable("user " + userId + " moved while the request was forwarded");
            }
            return forward(request, owner.activeHost());
        }
        if (recommendations) {
            Recommendation sent = state.sentLists.latest(owner.partition(), userId, state.catalog);
            if (sent != null) {
                return Reply.json(200, listJson(sent));
            }
        }
        byte[] historyBytes;
        byte[] rowBytes;
        try {
            historyBytes = local(UserProcessor.HISTORIES, owner.partition()).get(key);
            rowBytes = local(UserProcessor.ROWS, owner.partition()).get(key);
        } catch (InvalidStateStoreException e) {
            return unavailable("user " + userId + "'s partition is not queryable here right now: " + e.getMessage());
        }
        if (historyBytes == null && rowBytes == null) {
            return Reply.json(404, error("user " + userId + " has no ratings and no factors"));
        }
        UserHistory history = historyBytes == null ? null : UserHistory.decode(historyBytes);
        if (recommendations) {
            FactorRow row = rowBytes == null ? null : FactorRow.decode(rowBytes);
            Recommendation list = recommenders.get().recommend(
                    new Recommender.UserState(userId, history, row, Trigger.REQUEST, null), System.currentTimeMillis());
            return Reply.json(200, listJson(list));
        }
        return Reply.json(200, ratings(userId, history));
    }

    private static byte[] listJson(Recommendation list) {
        return Topics.RECOMMENDATIONS.valueSerde().serializer().serialize(Topics.RECOMMENDATIONS.name(), list);
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

    private Reply movie(String id) {
        long movieId = Ids.parse(id);
        Movie m = movieId < 0 ? null : state.catalog.get(movieId);
        if (m == null) {
            return Reply.json(404, error("movie '" + id + "' is not in the catalogue"));
        }
        return Reply.json(200, Topics.MOVIES.valueSerde().serializer().serialize(Topics.MOVIES.name(), m));
    }

    private Reply health() throws IOException {
        ObjectNode root = JsonSchemas.MAPPER.createObjectNode();
        root.put("state", streams.state().name());
        root.put("activeTasks", streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum());
        root.put("modelVersion", state.items.version());
        root.put("completeVersion", state.items.completeVersion());
        root.put("items", state.items.table().liveCount());
        root.put("movies", state.catalog.size());
        Map<String, String> now = problems.get();
        if (!now.isEmpty()) {
            now.forEach(root.putObject("problems")::put);
        }
        return Reply.json(now.isEmpty() ? 200 : 503, JsonSchemas.MAPPER.writeValueAsBytes(root));
    }

    private ReadOnlyKeyValueStore<String, byte[]> local(String store, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, byte[]>keyValueStore())
                .withPartition(partition));
    }

    private Reply forward(Incoming request, HostInfo owner) {
        URI uri = URI.create(http.scheme() + "://" + owner.host() + ":" + owner.port() + request.rawPath());
        HttpRequest.Builder forwarded = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .header(FORWARDED, self.toString()).GET();
        if (http.authorization() != null) {
            forwarded.header("Authorization", http.authorization());
        }
        try {
            HttpResponse<byte[]> response = client.send(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray());
            return Reply.json(response.statusCode(), response.body());
        } catch (IOException e) {
            return unavailable("the owning instance " + owner + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted while asking " + owner);
        }
    }

    private static Reply unavailable(String why) {
        return Reply.json(503, error(why)).withHeader("Retry-After", "1");
    }

    private static byte[] error(String message) {
        ObjectNode node = JsonSchemas.MAPPER.createObjectNode().put("error", message);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
