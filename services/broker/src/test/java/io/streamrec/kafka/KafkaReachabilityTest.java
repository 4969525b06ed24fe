package io.streamrec.kafka;

import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.InProcessBroker;
import io.streamrec.config.Settings;
import io.streamrec.logging.Warnings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The health probe against a real broker that stops and comes back on the same port, and what it logs meanwhile
 * (through log4j2.xml, in force in tests).
 */
class KafkaReachabilityTest {

    @TempDir
    Path dataDir;

    private final Warnings warnings = Warnings.capture();

    @AfterEach
    void release() {
        warnings.close();
    }

    /** The warnings of the probe and of its admin client. */
    private List<String> logged() {
        return warnings.lines().stream()
                .filter(l -> l.contains("reachability-test") || l.contains(KafkaReachability.class.getName())).toList();
    }

    @Test
    void reportsABrokerThatStoppedAnsweringAndForgetsItOnceItIsBack() throws Exception {
        int port = BrokerOutage.freePort();
        ClusterSpec spec = ClusterSpec.from(Settings.defaults()).withDataDir(dataDir).withPort(port);
        Settings settings = Settings.defaults().with("kafka.bootstrap.servers", "localhost:" + port)
                .with("health.kafka-probe-ms", 200).with("health.kafka-unreachable-ms", 1000);
        KafkaReachability kafka;
        try (InProcessBroker broker = InProcessBroker.start(spec)) { // first: a service starts once its broker answers
            kafka = KafkaReachability.start(KafkaReachability.Config.from(settings), settings,
                    "reachability-test-health");
            Thread.sleep(1_500); // past the unreachable window: only answers keep it quiet now
            assertThat(kafka.problems()).as("a broker that answers").isEmpty();
        }
        try (kafka) {
            Map<String, String> down = BrokerOutage.await(kafka::problems, p -> !p.isEmpty(), Duration.ofSeconds(30));
            assertThat(down).containsOnlyKeys("kafka");
            assertThat(down.get("kafka")).contains("no broker at localhost:" + port + " has answered for");
            BrokerOutage.await(this::logged, l -> !l.isEmpty(), Duration.ofSeconds(10));
            Thread.sleep(1_000); // the probe's admin client retries its connection meanwhile, and would warn each time
            assertThat(logged()).as("one warning, the probe's own: its client's connection warnings are dropped")
                    .singleElement().asString().contains("Kafka at localhost:" + port + " has not answered for");

            try (InProcessBroker back = InProcessBroker.start(spec)) {
                assertThat(BrokerOutage.await(kafka::problems, Map::isEmpty, Duration.ofSeconds(60)))
                        .as("the broker is back").isEmpty();
            }
        }
    }

    @Test
    void refusesAnUnreachableWindowShorterThanTwoProbePeriods() {
        Settings settings = Settings.defaults().with("health.kafka-probe-ms", 5000)
                .with("health.kafka-unreachable-ms", 9000);
        assertThatThrownBy(() -> KafkaReachability.Config.from(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("health.kafka-unreachable-ms must be at least 10000 (twice health.kafka-probe-ms=5000), got 9000");
    }
}
