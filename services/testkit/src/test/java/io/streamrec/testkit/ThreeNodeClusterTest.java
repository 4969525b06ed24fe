package io.streamrec.testkit;

import io.streamrec.broker.RatingTraffic;
import io.streamrec.config.Settings;
import io.streamrec.contract.Rating;
import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Three node processes on this machine: every topic on all three, and acks=all writes survive a killed node. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeNodeClusterTest {

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.threeNodes();

    @Test
    @Order(1)
    void replicatesEveryRegistryTopicOnAllThreeNodes() throws Exception {
        assertThat(kafka.size()).isEqualTo(3);
        assertThat(kafka.bootstrapServers().split(",")).hasSize(3);
        try (Admin admin = KafkaClients.newAdmin(kafka.settings(), "test-admin")) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
            List<String> names = Topics.ALL.stream().map(Topic::name).toList();
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
            for (Topic<?, ?> t : Topics.ALL) {
                assertThat(described.get(t.name()).partitions()).as(t.name()).hasSize(t.partitions())
                        .allSatisfy(p -> {
                            assertThat(p.replicas()).hasSize(3);
                            assertThat(p.isr()).hasSize(3);
                        });
            }
            ConfigResource ratings = new ConfigResource(ConfigResource.Type.TOPIC, Topics.RATINGS.name());
            assertThat(admin.describeConfigs(List.of(ratings)).all().get().get(ratings).get("min.insync.replicas").value())
                    .isEqualTo("2");
        }
    }

    @Test
    @Order(2)
    void acksAllWritesSurviveKillingTheLeaderOfAPartitionAndConsumersReadEverything() throws Exception {
        Settings settings = kafka.settings();
        List<Rating> beforeKill = RatingTraffic.ratings("before-kill", 600);
        List<Rating> afterKill = RatingTraffic.ratings("after-kill", 600);
        List<Rating> transactional = RatingTraffic.ratings("tx-after-kill", 200);

        int victim;
        try (Admin admin = KafkaClients.newAdmin(settings, "test-admin")) {
            victim = admin.describeTopics(List.of(Topics.RATINGS.name())).allTopicNames().get()
                    .get(Topics.RATINGS.name()).partitions().get(0).leader().id();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "test-producer"))) {
            assertThat(KafkaClients.producer(settings, "check").get(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
            RatingTraffic.produce(producer, beforeKill);

            kafka.killNode(victim); // SIGKILL: no clean shutdown, no leadership handover

            // The same producer, which knew the dead node as a leader, must fail over without losing a record.
            RatingTraffic.produce(producer, afterKill);
        }
        // Kafka's internal topics were created at start, so a transaction can begin with one node down.
        Properties tx = KafkaClients.producer(settings, "test-tx-producer");
        tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "three-node-test");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(tx)) {
            producer.initTransactions();
            producer.beginTransaction();
            RatingTraffic.produce(producer, transactional);
            producer.commitTransaction();
        }

        try (Admin admin = KafkaClients.newAdmin(settings, "test-admin")) {
            TopicDescription ratings = admin.describeTopics(List.of(Topics.RATINGS.name())).allTopicNames().get()
                    .get(Topics.RATINGS.name());
            assertThat(ratings.partitions()).allSatisfy(p -> {
                assertThat(p.leader().id()).isNotEqualTo(victim);
                assertThat(p.isr()).hasSize(2);
            });
        }
        List<Rating> expected = new ArrayList<>(beforeKill);
        expected.addAll(afterKill);
        expected.addAll(transactional);
        // A consumer group, first used after the kill: its coordinator must still be found.
        assertThat(RatingTraffic.readAll(settings, "read_committed", "after-kill-group"))
                .containsExactlyInAnyOrderElementsOf(expected);
    }
}
