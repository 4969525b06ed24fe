package io.streamrec.metrics;

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
import java.util.Map;
import java.util.Set;

/**
 * The process's one Micrometer registry and its Prometheus scrape endpoint ({@code GET /metrics} on
 * {@code metrics.host:metrics.port}, served by {@link HttpEndpoint} with the {@code http.*} limits and token). Every
 * service in the process registers its meters here; meter names start with {@code streamrec.<service>.} so services
 * sharing a process (the demo) stay apart.
 */
public final class Metrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Metrics.class);

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final HttpEndpoint server;

    private Metrics(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpEndpoint server) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
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
        HttpEndpoint server = settings.integer("metrics.port") < 0 ? null : serve(registry, settings);
        return new Metrics(registry, gc, server);
    }

    /** A registry with no endpoint, for tests and benchmarks. */
    public static Metrics inMemory() {
        return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null, null);
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

    private static HttpEndpoint serve(PrometheusMeterRegistry registry, Settings settings) {
        String host = settings.text("metrics.host");
        // A taken port falls back to a free one (said in a warning): a trainer and a scorer started on one machine
        // with the same defaults must both start; a service must not fail over its metrics.
        HttpEndpoint endpoint = HttpEndpoint.start("metrics", HttpConfig.from(settings), host,
                settings.integer("metrics.port"), true, Set.of(), request -> request.path().equals("/metrics")
                        ? new HttpEndpoint.Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                        registry.scrape().getBytes(StandardCharsets.UTF_8), Map.of())
                        : HttpEndpoint.Reply.json(404, "{\"error\":\"metrics are at /metrics\"}".getBytes(StandardCharsets.UTF_8)));
        log.info("metrics at {}/metrics", endpoint.url());
        return endpoint;
    }
}
