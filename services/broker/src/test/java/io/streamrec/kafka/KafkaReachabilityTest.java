package io.streamrec.kafka;

import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.InProcessBroker;
import io.streamrec.config.Settings;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The health probe against a real broker that stops and comes back on the same port, and what it logs meanwhile
 * (through log4j2.xml, in force in tests).
 */
class KafkaReachabilityTest {

    @TempDir
    Path dataDir;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final AbstractAppender capture = new AbstractAppender("reachability-test", null, null, true,
            Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
            String message = event.getMessage().getFormattedMessage();
            if (message.contains("reachability-test") || event.getLoggerName().equals(KafkaReachability.class.getName())) {
                logged.add(message);
            }
        }
    };

    @BeforeEach
    void capture() {
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(capture, Level.WARN, null);
        context.updateLoggers();
    }

    @AfterEach
    void release() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(capture.getName());
        context.updateLoggers();
        capture.stop();
    }

    @Test
    void reportsABrokerThatStoppedAnsweringAndForgetsItOnceItIsBack() throws Exception {
        int port = freePort();
        ClusterSpec spec = ClusterSpec.from(Settings.defaults()).withDataDir(dataDir).withPort(port);
        Settings settings = Settings.defaults().with("kafka.bootstrap.servers", "localhost:" + port)
                .with("health.kafka-probe-ms", 200).with("health.kafka-unreachable-ms", 1500);
        InProcessBroker broker = InProcessBroker.start(spec);
        try (KafkaReachability kafka = KafkaReachability.start(settings, "reachability-test-health")) {
            try {
                Thread.sleep(2_000); // past the unreachable window: only answers keep it quiet now
                assertThat(kafka.problems()).as("a broker that answers").isEmpty();
            } finally {
                broker.close();
            }
            Map<String, String> down = await(kafka, p -> !p.isEmpty(), Duration.ofSeconds(30));
            assertThat(down).containsOnlyKeys("kafka");
            assertThat(down.get("kafka")).contains("no broker at localhost:" + port + " has answered for");
            Thread.sleep(1_000); // the probe's admin client retries its connection meanwhile, and would warn each time
            assertThat(logged).as("one warning, the probe's own: its client's connection warnings are dropped")
                    .singleElement().asString().contains("Kafka at localhost:" + port + " has not answered for");

            broker = InProcessBroker.start(spec);
            assertThat(await(kafka, Map::isEmpty, Duration.ofSeconds(60))).as("the broker is back").isEmpty();
        } finally {
            broker.close();
        }
    }

    @Test
    void refusesAnUnreachableWindowShorterThanTheProbePeriod() {
        Settings settings = Settings.defaults().with("health.kafka-probe-ms", 5000)
                .with("health.kafka-unreachable-ms", 1000);
        assertThatThrownBy(() -> KafkaReachability.start(settings, "reachability-test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("health.kafka-unreachable-ms must be at least health.kafka-probe-ms");
    }

    private static Map<String, String> await(KafkaReachability kafka, Predicate<Map<String, String>> done,
                                             Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Map<String, String> now = kafka.problems();
        while (!done.test(now) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = kafka.problems();
        }
        return now;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
            return s.getLocalPort();
        }
    }
}
