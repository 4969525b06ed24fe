package io.streamrec.demo;

import io.streamrec.config.Settings;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's count of a watched user's ratings follows the ratings topic, so a rating produced from outside
 * the demo (kcat in the README's tour) counts as soon as it is on the topic; a record that breaks the contract
 * (dead-lettered by the trainer) does not.
 */
class TopicWatchTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    @Test
    void countsEveryValidRatingOfAWatchedUserWhoeverProducedIt() throws Exception {
        Settings s = kafka.settings();
        TopicAdmin.prepare(s, "topic-watch-test", Topics.ALL);
        WatchedUsers watched = new WatchedUsers(List.of(414L), Map.of(152077L, new Movie(152077, "Live Rating (2026)", 2026, List.of())));
        try (TopicWatch watch = new TopicWatch(s, watched);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.liveProducer(s, "outside"))) {
            long now = System.currentTimeMillis();
            // One key, one partition: the watch meets them in this order, so when it has the last it has seen all.
            send(producer, "414", RatingCodec.toJson(new Rating(414, 1, 4f, now)));
            send(producer, "414", "{\"userId\":414,\"movieId\":2,\"rating\":9}".getBytes(StandardCharsets.UTF_8));
            send(producer, "68", RatingCodec.toJson(new Rating(68, 1, 3f, now)));
            send(producer, "414", RatingCodec.toJson(new Rating(414, 152077, 5f, now + 1)));

            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!watched.lastRated(414).startsWith("Live Rating") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(watched.lastRated(414)).isEqualTo("Live Rating (2026) 5.0");
            assertThat(watched.rated(414)).as("the valid ratings of user 414, not the one off the scale").isEqualTo(2);
        }
    }

    /**
     * Only watched users' lists and each user's first valid one are parsed; the others must still count right, and
     * neither a list that breaks the schema nor a tombstone stops the watch.
     */
    @Test
    void keepsAWatchedUsersLatestListAndCountsUsersWithAValidOne() throws Exception {
        Settings s = kafka.settings();
        TopicAdmin.prepare(s, "topic-watch-lists-test", Topics.ALL);
        WatchedUsers watched = new WatchedUsers(List.of(414L), Map.of());
        try (TopicWatch watch = new TopicWatch(s, watched);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.liveProducer(s, "outside"))) {
            sendList(producer, "68", "{\"userId\":68}".getBytes(StandardCharsets.UTF_8));   // breaks the schema
            sendList(producer, "71", null);   // a tombstone
            sendList(producer, "414", list(414, 1));
            sendList(producer, "70", list(70, 1));
            sendList(producer, "70", list(70, 2));
            sendList(producer, "68", list(68, 2));
            sendList(producer, "414", list(414, 3));

            long deadline = System.nanoTime() + 30_000_000_000L;
            while (watch.records() < 7 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(watch.records()).isEqualTo(7);
            assertThat(watch.usersWithList()).as("68 (its second list), 70 and 414").isEqualTo(3);
            assertThat(watch.latest(414).modelVersion()).as("the watched user's latest list").isEqualTo(3);
            assertThat(watch.latest(70)).as("not watched").isNull();
        }
    }

    private static byte[] list(long user, long version) {
        return Topics.RECOMMENDATIONS.valueSerde().serializer().serialize(Topics.RECOMMENDATIONS.name(),
                new Recommendation(user, version, 0, null, "snapshot", "model",
                        List.of(new Recommendation.Item(1, null, 0.5))));
    }

    private static void sendList(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) throws Exception {
        // One partition for all: the watch meets them in this order.
        byte[] keyBytes = key.getBytes(StandardCharsets.US_ASCII);
        producer.send(new ProducerRecord<>(Topics.RECOMMENDATIONS.name(), 0, keyBytes, value)).get();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.RATINGS.name(), key.getBytes(StandardCharsets.US_ASCII), value)).get();
    }
}
