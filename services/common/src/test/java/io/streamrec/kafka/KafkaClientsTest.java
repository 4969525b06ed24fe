package io.streamrec.kafka;

import io.streamrec.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaClientsTest {
    @Test
    void userPassThroughReachesTheRightClients() {
        Settings s = Settings.load(null, null, Map.of(), Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.producer.linger.ms", "20",
                "kafka.consumer.max.poll.records", "5"));
        Properties producer = KafkaClients.producer(s, "p");
        Properties consumer = KafkaClients.consumer(s, "c", "g");
        assertThat(producer).containsEntry("security.protocol", "SASL_SSL").containsEntry("linger.ms", "20")
                .containsEntry("bootstrap.servers", "localhost:9092").doesNotContainKey("max.poll.records");
        assertThat(consumer).containsEntry("security.protocol", "SASL_SSL").containsEntry("max.poll.records", "5")
                .containsEntry("isolation.level", "read_committed").doesNotContainKey("producer.linger.ms");
        assertThat(KafkaClients.liveProducer(s, "l")).as("the user's linger.ms wins").containsEntry("linger.ms", "20");
        assertThat(KafkaClients.liveProducer(Settings.defaults(), "l")).containsEntry("linger.ms", "0")
                .containsEntry("acks", "all");
        assertThat(KafkaClients.producer(Settings.defaults(), "p")).containsEntry("linger.ms", "5");
    }
}
