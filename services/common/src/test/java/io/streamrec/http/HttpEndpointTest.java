package io.streamrec.http;

import io.streamrec.config.Settings;
import io.streamrec.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTP endpoint every service serves from, on real sockets: slow and stalled clients, the connection limit, the
 * bounded queue, the bearer token and TLS.
 */
class HttpEndpointTest {
    private static final HttpEndpoint.Routes OK = request -> HttpEndpoint.Reply.json(200,
            ("{\"path\":\"" + request.path() + "\"}").getBytes(StandardCharsets.UTF_8));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Socket> slowClients = new ArrayList<>();

    @AfterEach
    void closeSlowClients() throws IOException {
        for (Socket s : slowClients) {
            s.close();
        }
    }

    /**
     * The JDK server behind /metrics read headers on its one thread: a single client that sent half a request stalled
     * every scrape. Here sixteen of them hold connections open and a scrape still answers.
     */
    @Test
    void slowClientsHoldConnectionsWhileTheMetricsEndpointAnswers() throws Exception {
        try (Metrics metrics = Metrics.start(Settings.defaults().with("metrics.port", 0), "http-test")) {
            for (int i = 0; i < 16; i++) {
                slowClient(metrics.port());
            }
            HttpResponse<String> scrape = get("http://127.0.0.1:" + metrics.port() + "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("jvm_memory_used_bytes");
            assertThat(get("http://127.0.0.1:" + metrics.port() + "/other").statusCode()).isEqualTo(404);
        }
    }

    /** Two services on one machine with the same metrics.port: the second serves on a free port rather than fail. */
    @Test
    void aTakenMetricsPortFallsBackToAFreeOneButATakenQueryPortFails() throws Exception {
        try (Metrics first = Metrics.start(Settings.defaults().with("metrics.port", 0), "first")) {
            try (Metrics second = Metrics.start(Settings.defaults().with("metrics.port", first.port()), "second")) {
                assertThat(second.port()).isPositive().isNotEqualTo(first.port());
                assertThat(get("http://127.0.0.1:" + second.port() + "/metrics").body()).contains("application=\"second\"");
            }
            assertThatThrownBy(() -> HttpEndpoint.start("queries", HttpConfig.from(settings()), "127.0.0.1", first.port(),
                    false, Set.of(), OK)).hasMessageContaining("cannot serve queries on 127.0.0.1:" + first.port())
                    .hasMessageContaining("the port is in use");
        }
        // An address this machine does not have (TEST-NET-1) is a BindException too, but not a taken port.
        assertThatThrownBy(() -> HttpEndpoint.start("queries", HttpConfig.from(settings()), "192.0.2.1", 0, false,
                Set.of(), OK)).hasMessageContaining("cannot serve queries on 192.0.2.1:0: ")
                .hasMessageNotContaining("in use");
    }

    /** A client that stops in the middle of its headers loses its connection after the idle timeout. */
    @Test
    void aStalledConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (HttpEndpoint endpoint = start(settings().with("http.idle-timeout-ms", 300), Set.of(), OK)) {
            Socket stalled = slowClient(endpoint.port());
            stalled.setSoTimeout(30_000);
            InputStream in = stalled.getInputStream();
            try {
                while (in.read() >= 0) {
                    // Whatever the server says before closing (a 408, say), the connection must end.
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept a stalled connection open for 30 s", e);
            } catch (IOException closedByReset) {
                // Closed: what the test wants.
            }
        }
    }

    /** Twice as many stalled clients as the connection limit: they time out in turn, and a real client gets in. */
    @Test
    void atTheConnectionLimitStalledClientsMakeRoom() throws Exception {
        try (HttpEndpoint endpoint = start(settings().with("http.max-connections", 4).with("http.idle-timeout-ms", 500),
                Set.of(), OK)) {
            for (int i = 0; i < 8; i++) {
                slowClient(endpoint.port());
            }
            HttpResponse<String> answer = get("http://127.0.0.1:" + endpoint.port() + "/users/1/recommendations");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"path\":\"/users/1/recommendations\"}");
        }
    }

    /** One thread busy, one request waiting: the next is told 503 at once instead of joining an endless queue. */
    @Test
    void requestsBeyondTheQueueAreTurnedAwayWith503() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpEndpoint.Routes blocking = request -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return OK.answer(request);
        };
        Settings oneByOne = settings().with("http.threads", 1).with("http.max-queued-requests", 1)
                .with("http.queue-timeout-ms", 30_000);
        try (HttpEndpoint endpoint = start(oneByOne, Set.of(), blocking)) {
            String url = "http://127.0.0.1:" + endpoint.port() + "/x";
            CompletableFuture<HttpResponse<String>> first = getAsync(url);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<HttpResponse<String>> second = getAsync(url);
            // The second is queued once the server holds it; until then a third might take its place in the queue.
            Thread.sleep(500);
            assertThat(getAsync(url).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aBearerTokenGuardsEveryPathButTheOpenOnes() throws Exception {
        Settings withToken = settings().with("http.auth.token", "s3cret-token");
        assertThat(withToken.describe().get("http.auth.token")).doesNotContain("s3cret");
        try (HttpEndpoint endpoint = start(withToken, Set.of("/health"), OK)) {
            String base = "http://127.0.0.1:" + endpoint.port();
            HttpResponse<String> refused = get(base + "/metrics");
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"streamrec\"");
            assertThat(send(base + "/metrics", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(send(base + "/metrics", "Bearer s3cret-token").statusCode()).isEqualTo(200);
            assertThat(get(base + "/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void healthIsOpenAndSays503WithTheProblemsWhileACheckReportsOne() throws Exception {
        Map<String, String> problems = new ConcurrentHashMap<>();
        try (Metrics metrics = Metrics.start(settings().with("metrics.port", 0).with("http.auth.token", "s3cret-token"),
                "health-test")) {
            metrics.healthCheck("trainer", () -> Map.copyOf(problems));
            String health = "http://127.0.0.1:" + metrics.port() + "/health";
            HttpResponse<String> up = get(health);
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).isEqualTo("{\"status\":\"up\"}");
            problems.put("checkpoint", "checkpoint 7: The request included a message larger than the max message size");
            HttpResponse<String> failing = get(health);
            assertThat(failing.statusCode()).isEqualTo(503);
            assertThat(failing.body()).contains("\"status\":\"failing\"")
                    .contains("\"trainer.checkpoint\":\"checkpoint 7: The request included");
            assertThat(metrics.problems()).containsOnlyKeys("trainer.checkpoint");
            problems.clear();
            assertThat(get(health).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void servesHttpsFromAKeystoreThatInstancesTrustWhenTheyCallEachOther(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "streamrec", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(output).isZero();
        Settings tls = settings().with("http.tls.keystore", keystore).with("http.tls.keystore-password", "changeit");
        HttpConfig config = HttpConfig.from(tls);
        try (HttpEndpoint endpoint = start(tls, Set.of(), OK)) {
            assertThat(endpoint.url()).startsWith("https://");
            HttpClient trusting = HttpClient.newBuilder().sslContext(config.clientSslContext()).build();
            HttpResponse<String> answer = trusting.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + endpoint.port() + "/movies/1")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"path\":\"/movies/1\"}");
            assertThatThrownBy(() -> get("https://127.0.0.1:" + endpoint.port() + "/movies/1"))
                    .as("a client that does not trust the certificate").isInstanceOf(IOException.class);
        }
    }

    private static Settings settings() {
        return Settings.defaults();
    }

    private static HttpEndpoint start(Settings settings, Set<String> open, HttpEndpoint.Routes routes) {
        return HttpEndpoint.start("test", HttpConfig.from(settings), "127.0.0.1", 0, false, open, routes);
    }

    /** Opens a connection and sends the start of a request whose headers never end. */
    private Socket slowClient(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        slowClients.add(s);
        OutputStream out = s.getOutputStream();
        out.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return send(url, null);
    }

    private HttpResponse<String> send(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String url) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
