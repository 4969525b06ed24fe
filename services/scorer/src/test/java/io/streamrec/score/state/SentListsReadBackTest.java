package io.streamrec.score.state;

import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** A partition's lists read back from {@code recommendations} when its task arrives, on a real broker. */
class SentListsReadBackTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();
    private static final int PARTITION = 2;

    private static Recommendation list(long user, long version, long... movieIds) {
        return new Recommendation(user, version, 1_000 + version, 900L, "rating", "model",
                Arrays.stream(movieIds).mapToObj(m -> new Recommendation.Item(m, "t" + m, 0.1 * m)).toList());
    }

    @BeforeAll
    static void listsOnTheTopic() throws Exception {
        try (Admin admin = KafkaClients.newAdmin(kafka.settings(), "read-back-test-admin")) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.RECOMMENDATIONS), 1, Duration.ofSeconds(60));
        }
        var json = Topics.RECOMMENDATIONS.valueSerde().serializer();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(KafkaClients.producer(kafka.settings(), "read-back-test"))) {
            for (Object[] r : new Object[][]{
                    {5L, json.serialize("", list(5, 1, 3, 7))},
                    {6L, json.serialize("", list(6, 1, 4))},
                    {5L, json.serialize("", list(5, 2, 7, 4))},
                    {6L, null}, // a tombstone: no list
                    {7L, "not a list".getBytes(StandardCharsets.UTF_8)},
                    {8L, json.serialize("", list(8, 1, 11))}}) {
                producer.send(new ProducerRecord<>(Topics.RECOMMENDATIONS.name(), PARTITION,
                        r[0].toString().getBytes(StandardCharsets.UTF_8), (byte[]) r[1])).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Consumers of the test's broker, made once {@code go} opens. */
    private static Supplier<Consumer<byte[], byte[]>> reader(CountDownLatch go) {
        return () -> {
            try {
                assertThat(go.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new KafkaConsumer<>(KafkaClients.consumer(kafka.settings(), "read-back-test", null));
        };
    }

    private static Recommendation awaitList(SentLists lists, long user) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Recommendation r;
        while ((r = lists.latest(PARTITION, user, new Catalog())) == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return r;
    }

    @Test
    void eachUsersLastListOnThePartitionAnswersAfterTheTaskArrives() throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        go.countDown();
        try (SentLists lists = new SentLists(reader(go))) {
            lists.arrived(PARTITION);
            Recommendation five = awaitList(lists, 5);
            assertThat(five).as("user 5's list, read back").isNotNull();
            assertThat(five.modelVersion()).as("the later of user 5's two lists").isEqualTo(2);
            assertThat(five.items()).extracting(Recommendation.Item::movieId).containsExactly(7L, 4L);
            assertThat(awaitList(lists, 8).modelVersion()).isEqualTo(1);
            assertThat(lists.latest(PARTITION, 6, new Catalog())).as("a tombstone leaves no list").isNull();
            assertThat(lists.latest(PARTITION, 7, new Catalog())).as("an unreadable record is skipped").isNull();
            assertThat(lists.latest(PARTITION + 1, 5, new Catalog())).as("only the arrived partition").isNull();
        }
    }

    @Test
    void aListSentFromHereWhileReadingBackIsNewerAndStays() throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        try (SentLists lists = new SentLists(reader(go))) {
            lists.arrived(PARTITION);
            lists.sent(PARTITION, list(8, 9, 12, 13));
            go.countDown();
            assertThat(awaitList(lists, 5)).as("the partition read back").isNotNull();
            Thread.sleep(200); // the rest of the merge: microseconds
            assertThat(lists.latest(PARTITION, 8, new Catalog()).modelVersion()).as("sent from here").isEqualTo(9);
        }
    }
}
