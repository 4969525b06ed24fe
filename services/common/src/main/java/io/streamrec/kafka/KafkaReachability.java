package io.streamrec.kafka;

import io.streamrec.config.Settings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.streamrec.config.Settings.require;

/**
 * Whether the service's Kafka cluster answers, for {@code GET /health}: every {@code health.kafka-probe-ms} it asks
 * for the cluster's nodes, and it reports a problem once no broker has answered for {@code
 * health.kafka-unreachable-ms}.
 *
 * <p>Why a probe of its own: during an outage Kafka's clients only retry. Kafka Streams stays {@code RUNNING}, and a
 * consumer's poll returns nothing, as on a quiet topic; a producer's send fails only at its delivery timeout (the
 * trainer's snapshots: 60 s). Neither tells an outage apart from a quiet stream in time for a health check.
 */
public final class KafkaReachability implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaReachability.class);

    private final Admin admin;
    private final ScheduledExecutorService probes;
    private final long unreachableNanos;
    private final String bootstrap;
    private volatile long lastAnswerNanos;
    private volatile String lastError;
    private volatile boolean reported;

    private KafkaReachability(Settings settings, String clientId) {
        long probeMs = settings.longInteger("health.kafka-probe-ms");
        long unreachableMs = settings.longInteger("health.kafka-unreachable-ms");
        require(probeMs >= 100, "health.kafka-probe-ms must be at least 100, got " + probeMs);
        require(unreachableMs >= probeMs, "health.kafka-unreachable-ms must be at least health.kafka-probe-ms ("
                + probeMs + "), got " + unreachableMs);
        this.unreachableNanos = TimeUnit.MILLISECONDS.toNanos(unreachableMs);
        this.bootstrap = settings.text("kafka.bootstrap.servers");
        this.lastAnswerNanos = System.nanoTime(); // a service starts after its broker answered (TopicAdmin.requireBroker)
        this.admin = KafkaClients.newAdmin(settings, clientId);
        this.probes = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, clientId);
            t.setDaemon(true);
            return t;
        });
        // Each probe waits at most one period for its answer, so probes never queue up behind a dead broker.
        int timeoutMs = (int) Math.min(probeMs, Integer.MAX_VALUE);
        probes.scheduleWithFixedDelay(() -> probe(timeoutMs), 0, probeMs, TimeUnit.MILLISECONDS);
    }

    /** Starts probing the cluster of {@code kafka.bootstrap.servers} at once, on a daemon thread named {@code clientId}. */
    public static KafkaReachability start(Settings settings, String clientId) {
        return new KafkaReachability(settings, clientId);
    }

    private void probe(int timeoutMs) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes().get();
            lastAnswerNanos = System.nanoTime();
            lastError = null;
            if (reported) {
                reported = false;
                log.info("Kafka at {} answers again", bootstrap);
            }
        } catch (ExecutionException e) {
            lastError = e.getCause() == null ? e.toString() : e.getCause().toString();
            if (!reported && System.nanoTime() - lastAnswerNanos >= unreachableNanos) {
                reported = true;
                log.warn("Kafka at {} has not answered for {} s: {}", bootstrap, secondsWithoutAnswer(), lastError);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: keep probing whatever went wrong.
            lastError = e.toString();
        }
    }

    /** Whole seconds since a broker last answered (0 while it answers). */
    public long secondsWithoutAnswer() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastAnswerNanos);
    }

    /** {@code kafka -> why} once no broker has answered for {@code health.kafka-unreachable-ms}; empty before. */
    public Map<String, String> problems() {
        if (System.nanoTime() - lastAnswerNanos < unreachableNanos) {
            return Map.of();
        }
        String error = lastError;
        return Map.of("kafka", "no broker at " + bootstrap + " has answered for " + secondsWithoutAnswer() + " s"
                + (error == null ? "" : " (" + error + ")"));
    }

    @Override
    public void close() {
        probes.shutdownNow();
        admin.close(Duration.ZERO);
    }
}
