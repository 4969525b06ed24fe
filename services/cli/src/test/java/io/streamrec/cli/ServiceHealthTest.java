package io.streamrec.cli;

import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.InProcessBroker;
import io.streamrec.config.Settings;
import io.streamrec.kafka.BrokerOutage;
import io.streamrec.metrics.Metrics;
import io.streamrec.score.ScorerApp;
import io.streamrec.stream.StreamingTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trainer's and the scorer's health through a Kafka outage, as a health check sees it: their broker stops and
 * comes back on its port (Kafka's clients alone kept both green throughout).
 */
class ServiceHealthTest {

    @Test
    void bothServicesReportAKafkaOutageAndRecoverFromIt(@TempDir Path dir) throws Exception {
        int port = BrokerOutage.freePort();
        ClusterSpec spec = ClusterSpec.from(Settings.defaults()).withDataDir(dir.resolve("kafka")).withPort(port);
        Settings s = Settings.defaults().with("kafka.bootstrap.servers", "localhost:" + port)
                .with("scorer.state-dir", dir.resolve("scorer")).with("scorer.http.port", 0).with("metrics.port", -1)
                .with("health.kafka-probe-ms", 200).with("health.kafka-unreachable-ms", 1000);
        Metrics metrics = Metrics.inMemory();
        InProcessBroker broker = InProcessBroker.start(spec);
        StreamingTrainer trainer = null;
        ScorerApp scorer = null;
        try {
            trainer = StreamingTrainer.start(s, metrics.registry());
            metrics.healthCheck("trainer", trainer::problems);
            scorer = ScorerApp.start(s, metrics);
            assertThat(BrokerOutage.await(metrics::problems, Map::isEmpty, Duration.ofSeconds(60))).as("both up")
                    .isEmpty();
            assertThat(health(scorer).statusCode()).isEqualTo(200);

            broker.close();
            Map<String, String> down = BrokerOutage.await(metrics::problems,
                    p -> p.containsKey("trainer.kafka") && p.containsKey("scorer.kafka"), Duration.ofSeconds(30));
            assertThat(down).containsKeys("trainer.kafka", "scorer.kafka");
            assertThat(down.get("scorer.kafka")).contains("no broker at localhost:" + port);
            HttpResponse<String> queryPort = health(scorer);
            assertThat(queryPort.statusCode()).as("the scorer's query port says it too").isEqualTo(503);
            assertThat(queryPort.body()).contains("\"problems\":{\"kafka\":\"no broker at localhost:" + port);

            broker = InProcessBroker.start(spec);
            assertThat(BrokerOutage.await(metrics::problems, Map::isEmpty, Duration.ofSeconds(60))).as("both up again")
                    .isEmpty();
            assertThat(health(scorer).statusCode()).isEqualTo(200);
        } finally {
            if (scorer != null) {
                scorer.close();
            }
            if (trainer != null) {
                trainer.close();
            }
            broker.close();
        }
    }

    private static HttpResponse<String> health(ScorerApp scorer) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(scorer.httpUrl() + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
