package io.streamrec.stream;

import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.DeadLetter;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills the trainer process with SIGKILL ten times in a row while ratings stream in, at random moments (the first
 * before anything was committed, others before or during serving snapshots and checkpoints), restarts it each
 * time, and proves from the topics alone, after every kill and at the end, that every valid rating counts exactly
 * once in the model and every invalid one is dead-lettered exactly once, with continual training (replay) on
 * throughout. Before the first trainer starts, every model topic holds an aborted transaction, which a restore must
 * ignore.
 */
class StreamingTrainerCrashTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int EVENTS = 150_000;
    private static final int INVALID_EVERY = 600;
    private static final int KILLS = 10;

    @Test
    void everyRatingCountsExactlyOnceThroughKillsAtRandomMoments(@TempDir Path logs) throws Exception {
        abortATransactionOnEveryModelTopic();
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(3_000, 800, EVENTS, 17)).log();
        RatingProducer producer = new RatingProducer(log);
        Thread producing = new Thread(producer, "ratings-producer");
        producing.setDaemon(true);
        producing.start();
        SplittableRandom random = new SplittableRandom(11);

        try (Trainers trainers = new Trainers(logs)) {
            for (int kill = 1; kill <= KILLS; kill++) {
                Process trainer = trainers.start();
                trainers.awaitStarted(trainer);
                // The first dies before it could commit anything; the others at a random moment of their run.
                Thread.sleep(kill == 1 ? 0 : 200 + random.nextInt(2_000));
                trainer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                ModelTopics.awaitNoCommitInProgress(kafka.settings());
                assertConsistent(checkpoints(), "after kill " + kill);
            }
            producer.stop();
            producing.join();
            assertThat(producer.failure).isNull();

            Process last = trainers.start();
            trainers.await(last, () -> {
                SnapshotManifest c = latest(checkpoints());
                SnapshotManifest s = latest(servingManifests());
                return c != null && c.eventsTotal() == producer.valid && s != null && s.eventsTotal() == producer.valid
                        && Double.valueOf(0).equals(s.metrics().get("rowsWaiting"))
                        && c.metrics().get("positivesReplayed") != null && c.metrics().get("positivesReplayed") > 0;
            }, "a checkpoint and a serving snapshot of all " + producer.valid + " ratings, no row waiting, with replay");
        }

        List<SnapshotManifest> checkpoints = checkpoints();
        assertConsistent(checkpoints, "at the end");
        assertThat(latest(checkpoints).eventsTotal()).isEqualTo(producer.valid);
        assertThat(checkpoints.stream().mapToLong(SnapshotManifest::deadLettered).sum()).isEqualTo(producer.invalid);
        Truth truth = truthUpTo(latest(checkpoints));
        assertThat(ModelTopics.latestCounts(kafka.settings(), Topics.USER_FACTORS.name())).as("each user's served row counts its ratings once")
                .isEqualTo(truth.perUser);
        assertThat(ModelTopics.latestCounts(kafka.settings(), Topics.ITEM_FACTORS.name())).as("each item's served row counts its ratings once")
                .isEqualTo(truth.perItem);
        assertThat(servingManifests()).extracting(SnapshotManifest::version)
                .as("serving versions are consecutive across restarts: none skipped, none reused")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, servingManifests().size()).boxed().toList());
    }

    /**
     * What the committed checkpoints say must be true of the topics: versions consecutive, offset ranges contiguous
     * from 0, the events they count equal to the valid ratings in those ranges, each checkpointed row's count equal
     * to its ratings there, and the dead letters of those ranges in ratings-dlq exactly once.
     */
    private void assertConsistent(List<SnapshotManifest> checkpoints, String when) {
        if (checkpoints.isEmpty()) {
            assertThat(ModelTopics.readAll(kafka.settings(), Topics.RATINGS_DLQ.name())).as("no checkpoint, no dead letter %s", when).isEmpty();
            return;
        }
        assertThat(checkpoints).extracting(SnapshotManifest::version).as("checkpoint numbers are consecutive %s", when)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, checkpoints.size()).boxed().toList());
        Map<Integer, Long> next = new HashMap<>();
        for (SnapshotManifest m : checkpoints) {
            for (SnapshotManifest.OffsetRange r : m.offsets()) {
                assertThat(r.from()).as("%s: checkpoint %d, partition %d starts where the previous ended", when,
                        m.version(), r.partition()).isEqualTo(next.getOrDefault(r.partition(), 0L));
                assertThat(r.to()).isGreaterThanOrEqualTo(r.from());
                next.put(r.partition(), r.to());
            }
        }
        SnapshotManifest latest = latest(checkpoints);
        Truth truth = truthUpTo(latest);
        assertThat(checkpoints.stream().mapToLong(SnapshotManifest::eventsTrained).sum()).as("events %s", when)
                .isEqualTo(truth.valid);
        assertThat(latest.eventsTotal()).isEqualTo(truth.valid);
        assertThat(checkpoints.stream().mapToLong(SnapshotManifest::deadLettered).sum()).isEqualTo(truth.invalid);
        assertThat(ModelTopics.latestCounts(kafka.settings(), Topics.USER_CHECKPOINTS.name())).as("user counts %s", when).isEqualTo(truth.perUser);
        assertThat(ModelTopics.latestCounts(kafka.settings(), Topics.ITEM_CHECKPOINTS.name())).as("item counts %s", when).isEqualTo(truth.perItem);
        List<ConsumerRecord<byte[], byte[]>> dlq = ModelTopics.readAll(kafka.settings(), Topics.RATINGS_DLQ.name());
        Set<String> sources = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            assertThat(DeadLetter.header(r.headers(), DeadLetter.REASON)).isNotBlank();
            sources.add(DeadLetter.header(r.headers(), DeadLetter.SOURCE_PARTITION) + "@"
                    + DeadLetter.header(r.headers(), DeadLetter.SOURCE_OFFSET));
        }
        assertThat(dlq).as("dead letters %s", when).hasSize((int) truth.invalid);
        assertThat(sources).as("no dead letter twice %s", when).hasSize((int) truth.invalid);
    }

    /** What the ratings topic holds below a checkpoint's offsets, judged by the boundary's own validation. */
    private record Truth(long valid, long invalid, Map<Long, Integer> perUser, Map<Long, Integer> perItem) {
    }

    private Truth truthUpTo(SnapshotManifest checkpoint) {
        Map<Integer, Long> end = new HashMap<>();
        checkpoint.offsets().forEach(r -> end.put(r.partition(), r.to()));
        long valid = 0;
        long invalid = 0;
        Map<Long, Integer> perUser = new HashMap<>();
        Map<Long, Integer> perItem = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : ModelTopics.readAll(kafka.settings(), Topics.RATINGS.name())) {
            if (r.offset() >= end.getOrDefault(r.partition(), 0L)) {
                continue;
            }
            try {
                Rating rating = RatingCodec.parse(r.key(), r.value(), r.timestamp());
                perUser.merge(rating.userId(), 1, Integer::sum);
                perItem.merge(rating.movieId(), 1, Integer::sum);
                valid++;
            } catch (ContractViolation e) {
                invalid++;
            }
        }
        return new Truth(valid, invalid, perUser, perItem);
    }

    /** One record in an aborted transaction on each model topic: restores must not count or read them. */
    private void abortATransactionOnEveryModelTopic() {
        Properties p = KafkaClients.producer(kafka.settings(), "crash-test-aborter");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "crash-test-aborter");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String topic : List.of(Topics.USER_FACTORS.name(), Topics.ITEM_FACTORS.name(),
                    Topics.USER_CHECKPOINTS.name(), Topics.ITEM_CHECKPOINTS.name(), Topics.SNAPSHOTS.name(),
                    Topics.CHECKPOINTS.name(), Topics.RATINGS_DLQ.name())) {
                producer.send(new ProducerRecord<>(topic, "1".getBytes(StandardCharsets.UTF_8), "aborted".getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
            producer.abortTransaction();
        }
    }

    /** The trainer processes a test started; all are killed when it ends, whatever happened. */
    private final class Trainers implements AutoCloseable {
        private final List<Process> started = new ArrayList<>();
        private final Map<Process, Path> logFiles = new HashMap<>();
        private final Path logs;

        Trainers(Path logs) {
            this.logs = logs;
        }

        Process start() throws IOException {
            Path logFile = logs.resolve("trainer-" + (started.size() + 1) + ".log");
            Process p = startTrainer(logFile);
            started.add(p);
            logFiles.put(p, logFile);
            return p;
        }

        void awaitStarted(Process trainer) throws Exception {
            await(trainer, () -> {
                try {
                    return Files.readString(logFiles.get(trainer)).contains("trainer started");
                } catch (IOException e) {
                    return false;
                }
            }, "the trainer to start");
        }

        void await(Process trainer, BooleanSupplier done, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!done.getAsBoolean()) {
                if (!trainer.isAlive()) {
                    throw new AssertionError("the trainer exited with " + trainer.exitValue() + ":\n"
                            + Files.readString(logFiles.get(trainer)));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + what + " in time:\n" + Files.readString(logFiles.get(trainer)));
                }
                Thread.sleep(100);
            }
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
                "trainer.checkpoint-every-events=10000",
                "trainer.checkpoint-every-ms=500",
                // the rated rows' budget binds: restored rows and rows rated beyond it wait for later snapshots
                "trainer.serving.max-rated-rows=400",
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

    private static SnapshotManifest latest(List<SnapshotManifest> manifests) {
        return manifests.isEmpty() ? null : manifests.get(manifests.size() - 1);
    }

    private List<SnapshotManifest> checkpoints() {
        return ModelTopics.manifests(kafka.settings(), Topics.CHECKPOINTS.name());
    }

    private List<SnapshotManifest> servingManifests() {
        return ModelTopics.manifests(kafka.settings(), Topics.SNAPSHOTS.name());
    }
}
