package io.streamrec.http;

import io.streamrec.config.Settings;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;

/**
 * Limits and security of every HTTP endpoint streamrec serves (the scorer's queries, each service's metrics), from
 * the {@code http.*} settings documented in config/streamrec.properties.
 *
 * @param idleTimeout        a connection that sends or receives nothing this long is closed (a client stalled in
 *                           the middle of a request, an idle keep-alive)
 * @param maxConnections     open connections per server; more wait in the operating system's backlog
 * @param threads            requests handled at once per server
 * @param maxQueuedRequests  requests waiting for one of the threads; more are answered 503 at once
 * @param queueTimeout       longest a request waits for a thread before it is answered 503
 * @param authToken          bearer token every request must carry (but those to open paths), or null for none
 * @param tlsKeystore        PKCS12 keystore with the server's key and certificate, or null for plain HTTP
 * @param tlsKeystorePassword its password
 */
public record HttpConfig(Duration idleTimeout, int maxConnections, int threads, int maxQueuedRequests,
                         Duration queueTimeout, String authToken, Path tlsKeystore, String tlsKeystorePassword) {

    public HttpConfig {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("http.idle-timeout-ms must be positive, got " + idleTimeout.toMillis());
        }
        if (maxConnections < 1 || threads < 1 || maxQueuedRequests < 0 || queueTimeout.isNegative()) {
            throw new IllegalArgumentException("http.max-connections and http.threads must be at least 1,"
                    + " http.max-queued-requests and http.queue-timeout-ms at least 0");
        }
        if (tlsKeystore != null && !Files.isReadable(tlsKeystore)) {
            throw new IllegalArgumentException("http.tls.keystore " + tlsKeystore + " is not a readable file");
        }
    }

    public static HttpConfig from(Settings settings) {
        String keystore = settings.optionalText("http.tls.keystore");
        return new HttpConfig(Duration.ofMillis(settings.longInteger("http.idle-timeout-ms")),
                settings.integer("http.max-connections"), settings.integer("http.threads"),
                settings.integer("http.max-queued-requests"), Duration.ofMillis(settings.longInteger("http.queue-timeout-ms")),
                settings.optionalText("http.auth.token"), keystore == null ? null : Path.of(keystore),
                settings.text("http.tls.keystore-password"));
    }

    public boolean tls() {
        return tlsKeystore != null;
    }

    public String scheme() {
        return tls() ? "https" : "http";
    }

    /** The value of the Authorization header a client sends, or null when no token is configured. */
    public String authorization() {
        return authToken == null ? null : "Bearer " + authToken;
    }

    /**
     * What a streamrec instance trusts when it calls another (the scorer forwarding a query to the owner of a user):
     * the certificates of the shared keystore. Every instance serves the same keystore, whose certificate must name
     * the host each instance advertises.
     */
    public SSLContext clientSslContext() {
        try (InputStream in = Files.newInputStream(tlsKeystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, tlsKeystorePassword.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read http.tls.keystore " + tlsKeystore + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "HttpConfig[idleTimeout=" + idleTimeout + ", maxConnections=" + maxConnections + ", threads=" + threads
                + ", maxQueuedRequests=" + maxQueuedRequests + ", queueTimeout=" + queueTimeout + ", auth="
                + (authToken == null ? "off" : "bearer token") + ", tls=" + (tls() ? tlsKeystore : "off") + "]";
    }
}
