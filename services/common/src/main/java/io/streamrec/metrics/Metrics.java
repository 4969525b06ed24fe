package io.streamrec.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.config.Settings;
import io.streamrec.http.HttpConfig;
import io.streamrec.http.HttpEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * The process's one Micrometer registry, its Prometheus scrape endpoint ({@code GET /metrics} on
 * {@code metrics.host:metrics.port}) and the services' health ({@code GET /health}), served by {@link HttpEndpoint} with the {@code http.*} limits and token). Every
 * service in the process registers its meters here; meter names start with {@code streamrec.<service>.} so services
 * sharing a process (the demo) stay apart.
 */
public final class Metrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Metrics.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final HttpEndpoint server;
    private final Map<String, Supplier<Map<String, String>>> healthChecks;

    private Metrics(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpEndpoint server,
                    Map<String, Supplier<Map<String, String>>> healthChecks) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
        this.healthChecks = healthChecks;
    }

    /**
     * {@code metrics.port}, checked: -1 (off), 0 (any free port) or a port. The commands call it before they look for
     * a broker, so a mistyped port is named first.
     */
    public static int port(Settings settings) {
        int port = settings.integer("metrics.port");
        Settings.require(port >= -1 && port <= 65535,
                "metrics.port must be -1 (off), 0 (any free port) or 1 to 65535, got " + port);
        return port;
    }

    /** A registry with JVM meters and, unless {@code metrics.port} is -1, the scrape endpoint running. */
    public static Metrics start(Settings settings, String application) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("application", application);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        Map<String, Supplier<Map<String, String>>> healthChecks = new ConcurrentSkipListMap<>();
        int port = port(settings);
        HttpEndpoint server = port < 0 ? null : serve(registry, healthChecks, settings, port);
        return new Metrics(registry, gc, server, healthChecks);
    }

    /** A registry with no endpoint, for tests and benchmarks. */
    public static Metrics inMemory() {
        return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null, null, new ConcurrentSkipListMap<>());
    }

    /**
     * Adds a check to {@code GET /health} (open even when {@code http.auth.token} is set, for health probes): the
     * endpoint answers 200 {@code {"status":"up"}} while no check reports a problem, else 503 with every problem,
     * named {@code <check>.<what>}.
     *
     * @param problems what is wrong now, by name (empty when healthy); called on every request
     */
    public void healthCheck(String name, Supplier<Map<String, String>> problems) {
        healthChecks.put(name, problems);
    }

    /** What {@code GET /health} would report now: every problem of every check, empty when healthy. */
    public Map<String, String> problems() {
        return problems(healthChecks);
    }

    private static Map<String, String> problems(Map<String, Supplier<Map<String, String>>> checks) {
        Map<String, String> all = new TreeMap<>();
        checks.forEach((name, check) -> check.get().forEach((what, problem) -> all.put(name + "." + what, problem)));
        return all;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition, as the endpoint serves it. */
    public String scrape() {
        return registry.scrape();
    }

    /** The bound port, or -1 when the endpoint is off. */
    public int port() {
        return server == null ? -1 : server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }

    private static HttpEndpoint serve(PrometheusMeterRegistry registry,
                                      Map<String, Supplier<Map<String, String>>> healthChecks, Settings settings,
                                      int port) {
        String host = settings.text("metrics.host");
        // A taken port falls back to a free one (said in a warning): a trainer and a scorer started on one machine
        // with the same defaults must both start; a service must not fail over its metrics.
        HttpEndpoint endpoint = HttpEndpoint.start("metrics", HttpConfig.from(settings), host,
                port, true, Set.of("/health"), request -> switch (request.path()) {
                    case "/metrics" -> new HttpEndpoint.Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                            registry.scrape().getBytes(StandardCharsets.UTF_8), Map.of());
                    case "/health" -> health(problems(healthChecks));
                    default -> HttpEndpoint.Reply.json(404,
                            "{\"error\":\"metrics are at /metrics, health at /health\"}".getBytes(StandardCharsets.UTF_8));
                });
        log.info("metrics at {}/metrics", endpoint.url());
        return endpoint;
    }

    private static HttpEndpoint.Reply health(Map<String, String> problems) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", problems.isEmpty() ? "up" : "failing");
        if (!problems.isEmpty()) {
            body.put("problems", problems);
        }
        return HttpEndpoint.Reply.json(problems.isEmpty() ? 200 : 503, JSON.writeValueAsBytes(body));
    }
}
