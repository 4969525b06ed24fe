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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class SingleNodeBrokerTest {

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    @Test
    void handsTestsSettingsPointedAtTheBroker() {
        Settings settings = kafka.settings();
        assertThat(settings.text("kafka.bootstrap.servers")).isEqualTo(kafka.bootstrapServers()).contains(":");
        assertThat(settings.integer("topics.replication-factor")).isEqualTo(1);
    }

    @Test
    void createsEveryRegistryTopicWithItsPartitionsAndCleanupPolicy() throws Exception {
        try (Admin admin = KafkaClients.newAdmin(kafka.settings(), "test-admin")) {
            List<String> names = Topics.ALL.stream().map(Topic::name).toList();
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
            var configs = admin.describeConfigs(names.stream()
                    .map(n -> new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, n)).toList()).all().get();
            for (Topic<?, ?> t : Topics.ALL) {
                TopicDescription d = described.get(t.name());
                assertThat(d.partitions()).as(t.name()).hasSize(t.partitions())
                        .allSatisfy(p -> {
                            assertThat(p.leader()).isNotNull();
                            assertThat(p.replicas()).hasSize(1);
                        });
                var config = configs.entrySet().stream().filter(e -> e.getKey().name().equals(t.name()))
                        .findFirst().orElseThrow().getValue();
                assertThat(config.get("cleanup.policy").value()).as(t.name()).isEqualTo(t.cleanup().policy);
            }
        }
    }

    @Test
    void roundTripsPlainAndTransactionalRecordsAndHidesAbortedOnesFromReadCommitted() {
        Settings settings = kafka.settings();
        List<Rating> plain = RatingTraffic.ratings("plain", 200);
        RatingTraffic.produce(settings, plain);

        List<Rating> committed = new ArrayList<>(RatingTraffic.ratings("tx-a", 50));
        List<Rating> aborted = RatingTraffic.ratings("tx-aborted", 20);
        committed.addAll(RatingTraffic.ratings("tx-b", 30));
        Properties props = KafkaClients.producer(settings, "test-tx-producer");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "single-node-test");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            RatingTraffic.produce(producer, committed.subList(0, 50));
            producer.commitTransaction();
            producer.beginTransaction();
            RatingTraffic.produce(producer, aborted);
            producer.abortTransaction();
            producer.beginTransaction();
            RatingTraffic.produce(producer, committed.subList(50, 80));
            producer.commitTransaction();
        }

        List<Rating> expectedCommitted = new ArrayList<>(plain);
        expectedCommitted.addAll(committed);
        assertThat(RatingTraffic.readAll(settings, "read_committed")).containsExactlyInAnyOrderElementsOf(expectedCommitted);
        List<Rating> everything = new ArrayList<>(expectedCommitted);
        everything.addAll(aborted);
        assertThat(RatingTraffic.readAll(settings, "read_uncommitted")).containsExactlyInAnyOrderElementsOf(everything);
    }
}
