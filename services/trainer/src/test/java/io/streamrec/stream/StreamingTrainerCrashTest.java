package io.streamrec.stream;

import io.streamrec.contract.DeadLetter;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills the trainer process with SIGKILL twice while ratings stream in, restarts it each time, and proves from the
 * topics alone that every valid rating was trained exactly once into the final model and every invalid one
 * dead-lettered exactly once, with continual training (replay) on throughout.
 */
class StreamingTrainerCrashTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int EVENTS = 100_000;
    private static final int INVALID_EVERY = 600;

    @Test
    void everyRatingIsTrainedExactlyOnceAcrossKills(@TempDir Path logs) throws Exception {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(3_000, 800, EVENTS, 17)).log();
        RatingProducer producer = new RatingProducer(log);
        Thread producing = new Thread(producer, "ratings-producer");
        producing.setDaemon(true);
        producing.start();

        try (ManifestWatcher watcher = new ManifestWatcher(); Trainers trainers = new Trainers()) {
            // each trainer is killed once it has committed two snapshots of its own, while ratings keep arriving
            Process first = trainers.start(logs.resolve("trainer-1.log"));
            watcher.awaitVersion(2, first, logs.resolve("trainer-1.log"));
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killedAt = watcher.latest().eventsTotal();

            Process second = trainers.start(logs.resolve("trainer-2.log"));
            watcher.awaitVersion(watcher.latest().version() + 2, second, logs.resolve("trainer-2.log"));
            second.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killedAgainAt = watcher.latest().eventsTotal();

            producer.stop();
            producing.join();
            assertThat(producer.failure).isNull();
            assertThat((long) producer.valid).as("the stream was still flowing at both kills").isGreaterThan(killedAgainAt);
            assertThat(killedAgainAt).isGreaterThan(killedAt);
            Process third = trainers.start(logs.resolve("trainer-3.log"));
            watcher.awaitEvents(producer.valid, producer.invalid, third, logs.resolve("trainer-3.log"));
            // Once caught up, the idle trainer trains past ratings again, and publishes the rows replay moved.
            watcher.awaitReplay(third, logs.resolve("trainer-3.log"));
        }
        int valid = producer.valid;
        int invalid = producer.invalid;
        Map<Long, Integer> perUser = new HashMap<>();
        Map<Long, Integer> perItem = new HashMap<>();
        for (int i = 0; i < valid; i++) {
            perUser.merge(log.userId(i), 1, Integer::sum);
            perItem.merge(log.movieId(i), 1, Integer::sum);
        }

        List<SnapshotManifest> manifests = manifests();
        assertThat(manifests).extracting(SnapshotManifest::version)
                .as("versions are consecutive: no snapshot lost, none published twice")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, manifests.size()).boxed().toList());
        assertThat(manifests.stream().mapToLong(SnapshotManifest::eventsTrained).sum()).isEqualTo(valid);
        assertThat(manifests.get(manifests.size() - 1).eventsTotal()).isEqualTo(valid);
        assertThat(manifests.stream().mapToLong(SnapshotManifest::deadLettered).sum()).isEqualTo(invalid);
        assertContiguousOffsetRanges(manifests);
        assertThat(manifests.stream().mapToLong(SnapshotManifest::version).max()).hasValue(manifests.size());

        assertThat(latestCounts(Topics.USER_FACTORS.name())).as("each user's row counts its ratings exactly once")
                .isEqualTo(perUser);
        assertThat(latestCounts(Topics.ITEM_FACTORS.name())).as("each item's row counts its ratings exactly once")
                .isEqualTo(perItem);

        List<ConsumerRecord<byte[], byte[]>> dlq = readAll(Topics.RATINGS_DLQ.name());
        assertThat(dlq).hasSize(invalid);
        Set<String> sources = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            assertThat(DeadLetter.header(r.headers(), DeadLetter.REASON)).isNotBlank();
            sources.add(DeadLetter.header(r.headers(), DeadLetter.SOURCE_PARTITION) + "@"
                    + DeadLetter.header(r.headers(), DeadLetter.SOURCE_OFFSET));
        }
        assertThat(sources).as("no dead letter twice").hasSize(invalid);
    }

    /** The trainer processes a test started; all are killed when it ends, whatever happened. */
    private final class Trainers implements AutoCloseable {
        private final List<Process> started = new ArrayList<>();

        Process start(Path logFile) throws IOException {
            Process p = startTrainer(logFile);
            started.add(p);
            return p;
        }

        @Override
        public void close() throws InterruptedException {
            for (Process p : started) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process startTrainer(Path logFile) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), TrainerProcess.class.getName(),
                "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "metrics.port=-1",
                "trainer.engine=java",
                "trainer.threads=1",
                "trainer.dim=16",
                "trainer.batch-size=500",
                "trainer.batch-max-wait-ms=10",
                "trainer.snapshot-every-events=3000",
                "trainer.snapshot-every-ms=150",
                // continual training on, with more budget than the machine has: replay must not break exactly-once
                "trainer.replay.positives-per-second=1000000"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    }

    /** Ratings at about 3k/s, an invalid record after every INVALID_EVERY valid ones, until stopped. */
    private final class RatingProducer implements Runnable {
        private final RatingLog log;
        private volatile boolean stopped;
        volatile int valid;
        volatile int invalid;
        volatile Throwable failure;

        RatingProducer(RatingLog log) {
            this.log = log;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            AtomicInteger failed = new AtomicInteger();
            org.apache.kafka.clients.producer.Callback check = (m, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                }
            };
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(KafkaClients.producer(kafka.settings(), "test-ratings"))) {
                long start = System.nanoTime();
                for (int i = 0; i < log.size() && !stopped; i++) {
                    byte[] key = Long.toString(log.userId(i)).getBytes(StandardCharsets.UTF_8);
                    p.send(new ProducerRecord<>(Topics.RATINGS.name(), key, RatingCodec.toJson(log.get(i))), check);
                    valid = i + 1;
                    if ((i + 1) % INVALID_EVERY == 0) {
                        byte[] bad = (i % 2 == 0 ? "{\"userId\":" + log.userId(i) + ",\"movieId\":1,\"rating\":9,\"timestamp\":964982703000}"
                                : "not json at all").getBytes(StandardCharsets.UTF_8);
                        p.send(new ProducerRecord<>(Topics.RATINGS.name(), key, bad), check);
                        invalid++;
                    }
                    long wait = start + (long) (i * (1e9 / 3000)) - System.nanoTime();
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000);
                    }
                }
                p.flush();
            } catch (Throwable t) {
                failure = t;
            }
            if (failed.get() > 0 && failure == null) {
                failure = new IllegalStateException(failed.get() + " records were not accepted");
            }
        }
    }

    /** Follows model-snapshots with one long-lived read_committed consumer. */
    private final class ManifestWatcher implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer = consumer();
        private SnapshotManifest latest;
        private long deadLettered;

        ManifestWatcher() {
            TopicPartition tp = new TopicPartition(Topics.SNAPSHOTS.name(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        SnapshotManifest latest() {
            return latest;
        }

        void awaitVersion(long version, Process trainer, Path logFile) throws Exception {
            await(() -> latest != null && latest.version() >= version, "snapshot v" + version, trainer, logFile);
        }

        void awaitReplay(Process trainer, Path logFile) throws Exception {
            await(() -> latest != null && latest.metrics().get("positivesReplayed") != null
                    && latest.metrics().get("positivesReplayed") > 0, "replay", trainer, logFile);
        }

        void awaitEvents(long events, long invalid, Process trainer, Path logFile) throws Exception {
            await(() -> latest != null && latest.eventsTotal() >= events && deadLettered >= invalid,
                    events + " events and " + invalid + " dead letters", trainer, logFile);
        }

        private void await(java.util.function.BooleanSupplier done, String what, Process trainer, Path logFile) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!done.getAsBoolean()) {
                if (!trainer.isAlive()) {
                    throw new AssertionError("the trainer exited with " + trainer.exitValue() + ":\n" + Files.readString(logFile));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + what + " in time; latest " + latest + "\n" + Files.readString(logFile));
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    latest = Topics.SNAPSHOTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    deadLettered += latest.deadLettered();
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private void assertContiguousOffsetRanges(List<SnapshotManifest> manifests) {
        Map<Integer, Long> next = new HashMap<>();
        for (SnapshotManifest m : manifests) {
            for (SnapshotManifest.OffsetRange r : m.offsets()) {
                assertThat(r.from()).as("v%d partition %d starts where the previous snapshot ended; manifests: %s", m.version(), r.partition(),
                                manifests.stream().map(x -> x.version() + ":" + x.offsets()).toList())
                        .isEqualTo(next.getOrDefault(r.partition(), 0L));
                assertThat(r.to()).isGreaterThanOrEqualTo(r.from());
                next.put(r.partition(), r.to());
            }
        }
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<TopicPartition> tps = c.partitionsFor(Topics.RATINGS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.endOffsets(tps).forEach((tp, end) ->
                    assertThat(next.getOrDefault(tp.partition(), 0L)).as("partition %d consumed to its end", tp.partition()).isEqualTo(end));
        }
    }

    private Map<Long, Integer> latestCounts(String topic) {
        Map<Long, Integer> counts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
            counts.put(Long.parseLong(new String(r.key(), StandardCharsets.UTF_8)), FactorRow.decode(r.value()).count());
        }
        return counts;
    }

    private List<SnapshotManifest> manifests() {
        List<SnapshotManifest> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(Topics.SNAPSHOTS.name())) {
            out.add(Topics.SNAPSHOTS.valueSerde().deserializer().deserialize(r.topic(), r.value()));
        }
        return out;
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            Consumer<ConsumerRecord<byte[], byte[]>> add = out::add;
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(add);
            }
        }
        return out;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(KafkaClients.consumer(kafka.settings(), "crash-test-reader", null));
    }
}
