package io.streamrec.metrics;

import com.sun.net.httpserver.HttpServer;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The process's one Micrometer registry and its Prometheus scrape endpoint ({@code GET /metrics} on
 * {@code metrics.host:metrics.port}). Every service in the process registers its meters here; meter names start
 * with {@code streamrec.<service>.} so services sharing a process (the demo) stay apart.
 */
public final class Metrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Metrics.class);

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final HttpServer server;

    private Metrics(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpServer server) {
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
        int port = settings.integer("metrics.port");
        HttpServer server = port < 0 ? null : serve(registry, settings.text("metrics.host"), port);
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
        return server == null ? -1 : server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }

    private static HttpServer serve(PrometheusMeterRegistry registry, String host, int port) {
        try {
            HttpServer server = bind(host, port);
            server.createContext("/metrics", exchange -> {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            log.info("metrics at http://{}:{}/metrics", host, server.getAddress().getPort());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port
                    + " (set metrics.port to another port, 0 for any, -1 for none)", e);
        }
    }

    /**
     * Binds the port, or, when another process holds it (a trainer and a scorer started on one machine with the
     * same defaults), any free port, saying so: a service must not fail to start over its metrics.
     */
    private static HttpServer bind(String host, int port) throws IOException {
        try {
            return HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (BindException e) {
            if (port == 0) {
                throw e;
            }
            HttpServer server = HttpServer.create(new InetSocketAddress(host, 0), 0);
            log.warn("metrics port {} is taken; serving metrics on port {} instead (set metrics.port to choose)", port,
                    server.getAddress().getPort());
            return server;
        }
    }
}
