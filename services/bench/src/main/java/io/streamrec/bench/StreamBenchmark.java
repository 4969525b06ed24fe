package io.streamrec.bench;

import io.streamrec.stream.StreamingTrainer;
import io.micrometer.core.instrument.Timer;
import io.streamrec.config.Settings;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.replay.Pacing;
import io.streamrec.dataset.source.RatingSources;
import io.streamrec.replay.ReplaySummary;
import io.streamrec.replay.Replayer;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end training throughput from Kafka: a synthetic stream is produced to {@code ratings} first; then, on the
 * same broker, a bare consumer reads and parses the whole topic (the ceiling of one consuming thread), and the
 * streaming trainer consumes, validates, trains and snapshots the same records. Also samples memory as it goes,
 * to show it stays flat over long streams (the sampling's forced collections are left out of the rates). Run it
 * on a broker of its own: it writes the model topics.
 */
public final class StreamBenchmark {
    private final Settings settings;
    private final PrintWriter out;

    public StreamBenchmark(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    public void run(int users, int items, long events, int bareRounds) throws InterruptedException {
        out.printf(Locale.ROOT, "producing %,d synthetic ratings (%,d users x %,d items) to '%s'...%n", events, users,
                items, Topics.RATINGS.name());
        out.flush();
        SyntheticRatings generator = new SyntheticRatings(SyntheticConfig.of(users, items, events, 7, settings));
        ReplaySummary produced = new Replayer(settings, new PrintStream(PrintStream.nullOutputStream()))
                .replay(RatingSources.synthetic(generator, 1.0, 7), Pacing.max(), false);
        out.printf(Locale.ROOT, "  produced in %.1f s (%,.0f events/s)%n", produced.nanos() / 1e9, produced.eventsPerSecond());

        double bare = 0;
        for (int round = 1; round <= bareRounds; round++) {
            double rate = bareConsumer(events);
            bare = Math.max(bare, rate);
            out.printf(Locale.ROOT, "bare consumer, read + parse + validate, round %d: %,.0f ratings/s%n", round, rate);
            out.flush();
        }

        Metrics metrics = Metrics.inMemory();
        long start = System.nanoTime();
        StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
        long ready = System.nanoTime();
        out.printf(Locale.ROOT, "trainer %s on %s, ready in %.1f s; training...%n", settings.text("trainer.model"),
                trainer.engineDescription(), (ready - start) / 1e9);
        out.printf(Locale.ROOT, "  %12s %12s %16s %10s %10s%n", "events", "ratings/s", "heap after GC", "RSS", "snapshot");
        long sampleEvery = Math.max(events / 10, 100_000);
        long nextSample = sampleEvery;
        long lastEvents = 0;
        long lastNanos = ready;
        long paused = 0;
        while (trainer.eventsTrained() < events) {
            if (!trainer.isRunning()) {
                throw new IllegalStateException("the trainer stopped", trainer.failure());
            }
            Thread.sleep(20);
            long trained = trainer.eventsTrained();
            if (trained >= nextSample || trained >= events) {
                long now = System.nanoTime();
                double rate = (trained - lastEvents) / ((now - lastNanos) / 1e9);
                long gcStart = System.nanoTime();
                long heap = ProcessMemory.heapAfterFullGc();
                paused += System.nanoTime() - gcStart;
                out.printf(Locale.ROOT, "  %,12d %,12.0f %,13d MB %,7d MB %10s%n", trained, rate, heap >> 20,
                        ProcessMemory.rss() >> 20, "v" + trainer.snapshotVersion());
                out.flush();
                lastEvents = trained;
                lastNanos = System.nanoTime();
                nextSample = trained + sampleEvery;
            }
        }
        double seconds = (System.nanoTime() - ready - paused) / 1e9;
        double trained = events / seconds;
        trainer.close();
        Timer publish = metrics.registry().find("streamrec.trainer.snapshot.publish.time").timer();
        var rows = metrics.registry().find("streamrec.trainer.snapshot.rows").tag("table", "users").summary();
        var itemRows = metrics.registry().find("streamrec.trainer.snapshot.rows").tag("table", "items").summary();
        out.printf(Locale.ROOT, "%nstreaming trainer, Kafka to trained model: %,.0f ratings/s (%,d in %.1f s)%n",
                trained, events, seconds);
        out.printf(Locale.ROOT, "bare consumer that reads and parses:       %,.0f ratings/s%n", bare);
        out.printf(Locale.ROOT, "ratio trainer / bare consumer:             %.2f%n", trained / bare);
        if (publish != null && publish.count() > 0) {
            out.printf(Locale.ROOT, "snapshots: %d committed, publish time mean %.0f ms, max %.0f ms; rows per snapshot"
                            + " mean %,.0f users + %,.0f items%n", publish.count(), publish.mean(TimeUnit.MILLISECONDS),
                    publish.max(TimeUnit.MILLISECONDS), rows.mean(), itemRows.mean());
        }
        out.flush();
    }

    /** Reads every ratings record from the start and parses it with the boundary's validating parser. */
    private double bareConsumer(long events) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(settings, "bench-bare-consumer", null))) {
            List<TopicPartition> tps = c.partitionsFor(Topics.RATINGS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long count = 0;
            long checksum = 0;
            long start = System.nanoTime();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    try {
                        checksum += RatingCodec.parse(r.key(), r.value(), r.timestamp()).movieId();
                    } catch (ContractViolation e) {
                        checksum--;
                    }
                    count++;
                }
            }
            double rate = count / ((System.nanoTime() - start) / 1e9);
            if (count < events || checksum == 0) {
                throw new IllegalStateException("the bare consumer read " + count + " records, expected " + events);
            }
            return rate;
        }
    }
}
