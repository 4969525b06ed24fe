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

    /**
     * How often to ask, and how long without an answer is an outage ({@code health.*}, read and checked with the
     * service's other settings, before it starts).
     *
     * @param probe       between two probes' starts; a probe waits at most this long for its answer
     * @param unreachable without an answer for this long, Kafka is reported; at least two probe periods, since
     *                    answers come a period plus their own time apart
     */
    public record Config(Duration probe, Duration unreachable) {
        public static Config from(Settings s) {
            long probeMs = s.longInteger("health.kafka-probe-ms");
            long unreachableMs = s.longInteger("health.kafka-unreachable-ms");
            require(probeMs >= 100, "health.kafka-probe-ms must be at least 100, got " + probeMs);
            require(unreachableMs >= 2 * probeMs, "health.kafka-unreachable-ms must be at least " + 2 * probeMs
                    + " (twice health.kafka-probe-ms=" + probeMs + "), got " + unreachableMs);
            return new Config(Duration.ofMillis(probeMs), Duration.ofMillis(unreachableMs));
        }
    }

    private final Admin admin;
    private final ScheduledExecutorService probes;
    private final long unreachableNanos;
    private final String bootstrap;
    private volatile long lastAnswerNanos;
    private volatile String lastError;
    /** Whether this outage was logged; the probe thread's own. */
    private boolean reported;

    private KafkaReachability(Config config, Settings settings, String clientId) {
        this.unreachableNanos = config.unreachable().toNanos();
        this.bootstrap = settings.text("kafka.bootstrap.servers");
        this.lastAnswerNanos = System.nanoTime(); // a service starts after its broker answered (TopicAdmin.requireBroker)
        this.admin = KafkaClients.newAdmin(settings, clientId);
        this.probes = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, clientId);
            t.setDaemon(true);
            return t;
        });
        // At a fixed rate, each probe waiting at most a period: a probe starts every period while Kafka answers,
        // and at once after one that timed out.
        long periodMs = config.probe().toMillis();
        int timeoutMs = (int) Math.min(periodMs, Integer.MAX_VALUE);
        probes.scheduleAtFixedRate(() -> probe(timeoutMs), 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Starts probing the cluster of {@code kafka.bootstrap.servers} at once, on a daemon thread named {@code clientId}. */
    public static KafkaReachability start(Config config, Settings settings, String clientId) {
        return new KafkaReachability(config, settings, clientId);
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            // Whatever failed (a RuntimeException too: a scheduled task that throws is never run again), keep probing.
            lastError = e instanceof ExecutionException && e.getCause() != null ? e.getCause().toString() : e.toString();
            long silentNanos = System.nanoTime() - lastAnswerNanos;
            if (!reported && silentNanos >= unreachableNanos) {
                reported = true;
                log.warn("Kafka at {} has not answered for {} s: {}", bootstrap, TimeUnit.NANOSECONDS.toSeconds(silentNanos),
                        lastError);
            }
        }
    }

    /**
     * The probe's admin client, for a service's other questions to the cluster (the trainer's lag gauge): one admin
     * client, with its network thread and connection, a service. Closed with this probe.
     */
    public Admin admin() {
        return admin;
    }

    /** {@code kafka -> why} once no broker has answered for {@code health.kafka-unreachable-ms}; empty before. */
    public Map<String, String> problems() {
        long silentNanos = System.nanoTime() - lastAnswerNanos;
        if (silentNanos < unreachableNanos) {
            return Map.of();
        }
        String error = lastError;
        return Map.of("kafka", "no broker at " + bootstrap + " has answered for "
                + TimeUnit.NANOSECONDS.toSeconds(silentNanos) + " s" + (error == null ? "" : " (" + error + ")"));
    }

    @Override
    public void close() {
        probes.shutdownNow();
        admin.close(Duration.ZERO);
    }
}
