package io.streamrec.score;

import io.streamrec.config.Settings;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads {@code recommendations} from the beginning, as any consumer of the scorer would; every value is schema-checked. */
final class ListReader implements AutoCloseable {
    /** A list and when this reader got it. */
    record Received(Recommendation list, long receivedAt) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Received> received = new ArrayList<>();

    ListReader(Settings settings) {
        Properties p = KafkaClients.consumer(settings, "test-lists", null);
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = IntStream.range(0, Topics.RECOMMENDATIONS.partitions())
                .mapToObj(i -> new TopicPartition(Topics.RECOMMENDATIONS.name(), i)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Polls until some received list matches, or fails after the timeout. */
    Received await(Predicate<Received> wanted, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        while (true) {
            for (; checked < received.size(); checked++) {
                if (wanted.test(received.get(checked))) {
                    return received.get(checked);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no list " + what + " within " + timeout.toSeconds() + " s (" + received.size()
                        + " lists received)");
            }
            poll();
        }
    }

    List<Received> received() {
        return received;
    }

    void poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
            long at = System.currentTimeMillis();
            try {
                var tree = JsonSchemas.MAPPER.readTree(r.value());
                assertThat(JsonSchemas.RECOMMENDATION.violations(tree)).isEmpty();
                Recommendation list = JsonSchemas.MAPPER.treeToValue(tree, Recommendation.class);
                assertThat(list.key()).isEqualTo(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
                received.add(new Received(list, at));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
