package io.streamrec.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * streamrec's one way to serve HTTP: an embedded Jetty 12 server (its core API, no servlets) in front of a function
 * from request to reply, with the limits of {@link HttpConfig}. The scorer's queries and every service's metrics
 * use it.
 *
 * <p>Why Jetty and not the JDK's {@code com.sun.net.httpserver}: the JDK server reads a request's headers on a
 * worker thread with no read timeout, so four clients that send unfinished headers held all four query threads
 * (45 s tested, for ever in principle), and one held the metrics endpoint, whose server had a single thread; its
 * timeouts are JVM-wide system properties. Jetty reads headers without blocking a thread, closes connections idle
 * for {@link HttpConfig#idleTimeout()}, limits connections ({@link NetworkConnectionLimit}), and bounds the requests
 * waiting for a thread
 * ({@link QoSHandler}: 503 beyond the queue or after the queue timeout). jetty-server with its http, io and util
 * jars is 2.3 MB and needs nothing but slf4j.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);
    /** Jetty's own threads beside the request threads: one acceptor, one selector (enough on a few cores). */
    private static final int ACCEPTORS = 1, SELECTORS = 1, PARSERS = 2;

    /** A request as the routes see it. */
    public record Incoming(String method, String path, String rawPath, Function<String, String> header) {
    }

    /** A whole reply: status, content type, body and any further headers. */
    public record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        public static Reply json(int status, byte[] body) {
            return new Reply(status, "application/json; charset=utf-8", body, Map.of());
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.put(name, value);
            return new Reply(status, contentType, body, all);
        }
    }

    /** Answers one request, on one of the endpoint's request threads (it may block, briefly). */
    @FunctionalInterface
    public interface Routes {
        Reply answer(Incoming request) throws IOException;
    }

    private final Server server;
    private final ServerConnector connector;
    private final HttpConfig config;

    private HttpEndpoint(Server server, ServerConnector connector, HttpConfig config) {
        this.server = server;
        this.connector = connector;
        this.config = config;
    }

    /**
     * Binds and starts serving.
     *
     * @param name            for thread names and messages ("metrics", "scorer-queries")
     * @param openPaths       paths answered without the bearer token (a health check), when one is configured
     * @param freePortIfTaken when {@code port} is taken, serve on a free port instead (saying so) rather than fail
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static HttpEndpoint start(String name, HttpConfig config, String host, int port, boolean freePortIfTaken,
                                     Set<String> openPaths, Routes routes) {
        try {
            return bind(name, config, host, port, openPaths, routes);
        } catch (BindException e) {
            if (!freePortIfTaken || port == 0 || !inUse(e)) {
                String where = "cannot serve " + name + " on " + host + ":" + port;
                // A bad host or a privileged port is a BindException too: those keep the OS's reason.
                throw inUse(e) ? new PortInUse(where + ": the port is in use (another instance running?)", e)
                        : new UncheckedIOException(where + ": " + e.getMessage(), e);
            }
            try {
                HttpEndpoint endpoint = bind(name, config, host, 0, openPaths, routes);
                log.warn("{} port {} is taken; serving on port {} instead", name, port, endpoint.port());
                return endpoint;
            } catch (IOException again) {
                throw new UncheckedIOException("cannot serve " + name + " on " + host + ":0", again);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve " + name + " on " + host + ":" + port, e);
        }
    }

    private static HttpEndpoint bind(String name, HttpConfig config, String host, int port, Set<String> openPaths,
                                     Routes routes) throws IOException {
        // Beside the request threads the QoSHandler admits: Jetty's acceptor and selector, and a few threads to read
        // requests and park the ones that must wait (a parked request holds no thread). The pool's task queue stays
        // unbounded, as Jetty asks (a full one would drop Jetty's own tasks): it holds a task or two per open
        // connection, and connections are limited; the requests that wait are bounded by the QoSHandler.
        QueuedThreadPool threads = new QueuedThreadPool(config.threads() + ACCEPTORS + SELECTORS + PARSERS,
                ACCEPTORS + SELECTORS + 1);
        threads.setName(name + "-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        ServerConnector connector = config.tls()
                ? new ServerConnector(server, ACCEPTORS, SELECTORS,
                new SslConnectionFactory(sslContextFactory(config), plain.getProtocol()), plain)
                : new ServerConnector(server, ACCEPTORS, SELECTORS, plain);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        server.addConnector(connector);
        // At the limit new connections wait in the operating system's backlog until open ones close; stalled ones
        // do after the idle timeout.
        server.addBean(new NetworkConnectionLimit(config.maxConnections(), server));
        QoSHandler queue = new QoSHandler(new RoutesHandler(config, openPaths, routes));
        queue.setMaxRequestCount(config.threads());
        queue.setMaxSuspendedRequestCount(config.maxQueuedRequests());
        queue.setMaxSuspend(config.queueTimeout());
        server.setHandler(queue);
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            throw bindFailure(e);
        } catch (Exception e) {
            stopQuietly(server);
            throw new IOException("cannot start the " + name + " server", e);
        }
        HttpEndpoint endpoint = new HttpEndpoint(server, connector, config);
        log.debug("{} serving at {} ({})", name, endpoint.url(), config);
        return endpoint;
    }

    /** The port was taken by another process; the caller may say how to choose another. */
    public static final class PortInUse extends UncheckedIOException {
        PortInUse(String message, BindException cause) {
            super(message, cause);
        }
    }

    private static boolean inUse(BindException e) {
        return e.getMessage() != null && e.getMessage().contains("in use");
    }

    /** Jetty wraps the BindException of a taken port; unwrap it so the caller can tell. */
    private static IOException bindFailure(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException bind) {
                return bind;
            }
        }
        return e;
    }

    private static SslContextFactory.Server sslContextFactory(HttpConfig config) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(config.tlsKeystore().toString());
        tls.setKeyStoreType("PKCS12");
        tls.setKeyStorePassword(config.tlsKeystorePassword());
        return tls;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port} or {@code https://host:port}, as bound. */
    public String url() {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        return config.scheme() + "://" + host + ":" + port();
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            log.debug("stopping an HTTP server: {}", e.toString());
        }
    }

    /** Checks the bearer token, asks the routes, writes the reply. */
    private static final class RoutesHandler extends Handler.Abstract {
        private final byte[] expectedAuthorization;
        private final Set<String> openPaths;
        private final Routes routes;

        RoutesHandler(HttpConfig config, Set<String> openPaths, Routes routes) {
            this.expectedAuthorization = config.authorization() == null ? null
                    : config.authorization().getBytes(StandardCharsets.UTF_8);
            this.openPaths = Set.copyOf(openPaths);
            this.routes = routes;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws IOException {
            Incoming view = new Incoming(request.getMethod(), request.getHttpURI().getDecodedPath(),
                    request.getHttpURI().getPath(), request.getHeaders()::get);
            Reply reply = authorized(request, view.path()) ? routes.answer(view)
                    : Reply.json(401, "{\"error\":\"a bearer token is required (Authorization: Bearer ...)\"}"
                    .getBytes(StandardCharsets.UTF_8)).withHeader("WWW-Authenticate", "Bearer realm=\"streamrec\"");
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            reply.headers().forEach(response.getHeaders()::put);
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
            return true;
        }

        /** Compared in constant time, so the time of a refusal tells nothing about the token. */
        private boolean authorized(Request request, String path) {
            if (expectedAuthorization == null || openPaths.contains(path)) {
                return true;
            }
            String given = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
        }
    }
}
