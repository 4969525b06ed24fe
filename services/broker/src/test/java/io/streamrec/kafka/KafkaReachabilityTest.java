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
import java.util.function.Supplier;

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
                .with("health.kafka-probe-ms", 200).with("health.kafka-unreachable-ms", 1000);
        KafkaReachability kafka;
        try (InProcessBroker broker = InProcessBroker.start(spec)) { // first: a service starts once its broker answers
            kafka = KafkaReachability.start(KafkaReachability.Config.from(settings), settings, "reachability-test-health");
            Thread.sleep(1_500); // past the unreachable window: only answers keep it quiet now
            assertThat(kafka.problems()).as("a broker that answers").isEmpty();
        }
        try (kafka) {
            Map<String, String> down = await(kafka::problems, p -> !p.isEmpty(), Duration.ofSeconds(30));
            assertThat(down).containsOnlyKeys("kafka");
            assertThat(down.get("kafka")).contains("no broker at localhost:" + port + " has answered for");
            await(() -> logged, l -> !l.isEmpty(), Duration.ofSeconds(10));
            Thread.sleep(1_000); // the probe's admin client retries its connection meanwhile, and would warn each time
            assertThat(logged).as("one warning, the probe's own: its client's connection warnings are dropped")
                    .singleElement().asString().contains("Kafka at localhost:" + port + " has not answered for");

            try (InProcessBroker back = InProcessBroker.start(spec)) {
                assertThat(await(kafka::problems, Map::isEmpty, Duration.ofSeconds(60))).as("the broker is back").isEmpty();
            }
        }
    }

    @Test
    void refusesAnUnreachableWindowShorterThanTwoProbePeriods() {
        Settings settings = Settings.defaults().with("health.kafka-probe-ms", 5000)
                .with("health.kafka-unreachable-ms", 9000);
        assertThatThrownBy(() -> KafkaReachability.Config.from(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("health.kafka-unreachable-ms must be at least twice health.kafka-probe-ms (10000), got 9000");
    }

    private static <T> T await(Supplier<T> value, Predicate<T> done, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        T now = value.get();
        while (!done.test(now) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = value.get();
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
