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
import java.util.function.Predicate;

/**
 * End-to-end training throughput from Kafka: a synthetic stream is produced to {@code ratings} first; then, on the
 * same broker, a bare consumer reads and parses the whole topic (the ceiling of one consuming thread), and the
 * streaming trainer consumes, validates, trains, serves and checkpoints the same records. Also reports what it
 * published (serving snapshots and checkpoints: cadence, rows and bytes a second, commit times) and samples memory
 * as it goes, to show it stays flat over long streams (the sampling's forced collections are left out of the
 * rates). Run it on a broker of its own: it writes the model topics.
 */
public final class StreamBenchmark {
    /** The trainer's threads by stage, by name (StreamingTrainer, RatingIntake, JavaEngine, Publications). */
    private static final Predicate<String> INTAKE = name -> name.equals("rating-intake");
    private static final Predicate<String> TRAINING = name -> name.equals("trainer") || name.equals("java-engine");
    private static final Predicate<String> PUBLISHING = name -> name.endsWith("-publisher");

    private final Settings settings;
    private final PrintWriter out;

    public StreamBenchmark(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    /**
     * What one run measured, for the comparison of continual training on and off. CPU a rating, in µs: the whole
     * process's (the embedded broker, GC and JIT included) while the trainer ran, and while the bare consumer did.
     */
    public record Result(boolean replay, double trainerRate, double bareRate, double seconds, long serving,
                         double servingRowsPerSecond, double servingBytesPerSecond, double servingCommitMs,
                         long checkpoints, double checkpointBytesPerSecond, double checkpointCommitMs,
                         double checkpointCommitMaxMs, long heapFirst, long heapLast, long replayed,
                         double trainerCpuMicros, double bareCpuMicros) {
        double ratio() {
            return trainerRate / bareRate;
        }
    }

    /** A bare consumer's round: its rate, and the process's CPU a rating in µs, all of it and its own thread's. */
    private record BareRound(double rate, double processCpuMicros, double threadCpuMicros) {
    }

    /**
     * Produces the stream, measures the bare consumer on it, then the streaming trainer from the start of the topic:
     * the whole stream is a backlog, so this is also the rate a trainer catches up at after downtime.
     *
     * @param replay whether continual training runs (it must yield to the backlog)
     */
    public Result run(int users, int items, long events, int bareRounds, boolean replay) throws InterruptedException {
        out.printf(Locale.ROOT, "producing %,d synthetic ratings (%,d users x %,d items) to '%s'...%n", events, users,
                items, Topics.RATINGS.name());
        out.flush();
        SyntheticRatings generator = new SyntheticRatings(SyntheticConfig.of(users, items, events, 7, settings));
        ReplaySummary produced = new Replayer(settings, new PrintStream(PrintStream.nullOutputStream()))
                .replay(RatingSources.synthetic(generator, 1.0, 7), Pacing.max(), false);
        out.printf(Locale.ROOT, "  produced in %.1f s (%,.0f events/s)%n", produced.nanos() / 1e9, produced.eventsPerSecond());

        Settings run = replay ? settings : settings.with("trainer.replay.positives-per-second", 0);
        String groupId = run.text("trainer.group-id");
        String transactionalId = run.text("trainer.transactional-id");
        CoreUse cores = new CoreUse("trainer",
                INTAKE.or(TRAINING).or(PUBLISHING).or(name -> name.equals("lag-probe") || name.contains(groupId)
                        || name.contains(transactionalId)),
                "benchmark", name -> name.equals("main"), "broker and other Java");

        BareRound bare = null;
        for (int round = 1; round <= bareRounds; round++) {
            BareRound b = bareConsumer(events, cores);
            bare = bare == null || b.rate() > bare.rate() ? b : bare;
            out.printf(Locale.ROOT, "bare consumer, read + parse + validate, round %d: %,.0f ratings/s, CPU %.2f µs a"
                    + " rating (its thread %.2f, the broker's fetches and GC the rest)%n", round, b.rate(),
                    b.processCpuMicros(), b.threadCpuMicros());
            out.flush();
        }
        if (bare == null) { // --bare-rounds 0
            bare = new BareRound(Double.NaN, Double.NaN, Double.NaN);
        }

        Metrics metrics = Metrics.inMemory();
        long start = System.nanoTime();
        StreamingTrainer trainer = StreamingTrainer.start(run, metrics.registry());
        long ready = System.nanoTime();
        CoreUse.Sample coresAtReady = cores.sample();
        out.printf(Locale.ROOT, "trainer %s on %s, continual training %s, ready in %.1f s; training...%n",
                run.text("trainer.model"), trainer.engineDescription(), replay ? "on" : "off", (ready - start) / 1e9);
        out.printf(Locale.ROOT, "  %12s %12s %16s %10s %10s %12s%n", "events", "ratings/s", "heap after GC", "RSS",
                "serving", "checkpoint");
        long sampleEvery = Math.max(events / 10, 100_000);
        long nextSample = sampleEvery;
        long lastEvents = 0;
        long lastNanos = ready;
        long paused = 0;
        long pausedProcessCpu = 0; // the process's CPU while it measured the heap: mostly the forced collections
        long heapFirst = -1;
        long heapLast = -1;
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
                long cpuBefore = CoreUse.processCpuNanos();
                long heap = ProcessMemory.heapAfterFullGc();
                pausedProcessCpu += CoreUse.processCpuNanos() - cpuBefore;
                paused += System.nanoTime() - gcStart;
                heapFirst = heapFirst < 0 ? heap : heapFirst;
                heapLast = heap;
                out.printf(Locale.ROOT, "  %,12d %,12.0f %,13d MB %,7d MB %10s %12s%n", trained, rate, heap >> 20,
                        ProcessMemory.rss() >> 20, "v" + trainer.snapshotVersion(), "#" + trainer.checkpointNumber());
                out.flush();
                lastEvents = trained;
                lastNanos = System.nanoTime();
                nextSample = trained + sampleEvery;
            }
        }
        double seconds = (System.nanoTime() - ready - paused) / 1e9;
        double trainedRate = events / seconds;
        long replayed = trainer.positivesReplayed();
        CoreUse.Sample coresAtEnd = cores.sample(); // while the trainer's threads live: their CPU time ends with them
        trainer.close();
        double trainerCpuMicros = coresAtReady.process() < 0 ? Double.NaN
                : (coresAtEnd.process() - coresAtReady.process() - pausedProcessCpu) / 1e3 / events;
        double trainerThreadsMicros = (coresAtEnd.service() - coresAtReady.service()) / 1e3 / events;
        Timer serving = metrics.registry().find("streamrec.trainer.snapshot.publish.time").timer();
        double userRows = sum(metrics, "streamrec.trainer.snapshot.rows", "users");
        double itemRows = sum(metrics, "streamrec.trainer.snapshot.rows", "items");
        double servedBytes = metrics.registry().find("streamrec.trainer.snapshot.bytes").counter().count();
        Timer checkpoint = metrics.registry().find("streamrec.trainer.checkpoint.time").timer();
        double checkpointBytes = metrics.registry().find("streamrec.trainer.checkpoint.bytes").counter().count();
        double elapsed = (System.nanoTime() - ready) / 1e9;
        Result r = new Result(replay, trainedRate, bare.rate(), seconds, serving.count(), (userRows + itemRows) / elapsed,
                servedBytes / elapsed, serving.mean(TimeUnit.MILLISECONDS), checkpoint.count(),
                checkpointBytes / elapsed, checkpoint.mean(TimeUnit.MILLISECONDS), checkpoint.max(TimeUnit.MILLISECONDS),
                heapFirst, heapLast, replayed, trainerCpuMicros, bare.processCpuMicros());
        out.printf(Locale.ROOT, "%nstreaming trainer, Kafka to trained model: %,.0f ratings/s (%,d in %.1f s)%n",
                trainedRate, events, seconds);
        out.printf(Locale.ROOT, "bare consumer that reads and parses:       %,.0f ratings/s%n", bare.rate());
        out.printf(Locale.ROOT, "ratio trainer / bare consumer:             %.2f%n", r.ratio());
        out.printf(Locale.ROOT, "CPU a rating: %.2f µs (the trainer's threads %.2f), against %.2f µs for the bare consumer"
                + " (%.1fx); the benchmark's forced collections left out%n", trainerCpuMicros, trainerThreadsMicros,
                bare.processCpuMicros(), trainerCpuMicros / bare.processCpuMicros());
        out.println(stages(coresAtReady, coresAtEnd, events));
        out.println(cores.between(coresAtReady, coresAtEnd, paused, pausedProcessCpu));
        out.printf(Locale.ROOT, "serving snapshots: %d (one every %.2f s), %,.0f rows/s, %.1f MB/s, commit mean %.0f ms%n",
                r.serving(), elapsed / Math.max(1, r.serving()), r.servingRowsPerSecond(), r.servingBytesPerSecond() / 1e6,
                r.servingCommitMs());
        out.printf(Locale.ROOT, "checkpoints: %d, %.1f MB/s, commit mean %.0f ms, max %.0f ms%n", r.checkpoints(),
                r.checkpointBytesPerSecond() / 1e6, r.checkpointCommitMs(), r.checkpointCommitMaxMs());
        var batches = metrics.registry().find("streamrec.trainer.batch.size").summary();
        out.printf(Locale.ROOT, "mini-batches: %,d, %.0f positives each on average%n", batches.count(), batches.mean());
        out.printf(Locale.ROOT, "continual training: %,d past positives replayed while %s%n", replayed,
                replay ? "the backlog lasted (replay yields to it)" : "off");
        out.flush();
        return r;
    }

    /**
     * The trainer's threads' CPU a rating by stage, the line that says which stage a change made cheaper: the machine
     * is too noisy for rates to show a few percent, the threads' CPU much less so.
     */
    private static String stages(CoreUse.Sample from, CoreUse.Sample to, long events) {
        Predicate<String> clients = INTAKE.or(TRAINING).or(PUBLISHING).negate();
        return String.format(Locale.ROOT, "  by stage, µs a rating: intake %.2f (poll, parse, validate, prepare),"
                        + " training %.2f (step and listeners), snapshot publishers %.2f, the Kafka clients' own threads and the lag probe %.2f",
                to.serviceSince(from, INTAKE) / 1e3 / events, to.serviceSince(from, TRAINING) / 1e3 / events,
                to.serviceSince(from, PUBLISHING) / 1e3 / events, to.serviceSince(from, clients) / 1e3 / events);
    }

    /** Prints runs side by side. */
    public static void compare(PrintWriter out, java.util.List<Result> results) {
        out.printf(Locale.ROOT, "%n%-22s %12s %12s %7s %16s %10s %12s %10s %12s %12s %14s%n", "continual training",
                "ratings/s", "bare/s", "ratio", "CPU µs a rating", "serving/s", "serving MB/s", "ckpt MB/s",
                "ckpt commit", "heap MB", "replayed");
        for (Result r : results) {
            out.printf(Locale.ROOT, "%-22s %,12.0f %,12.0f %7.2f %7.2f vs %5.2f %10.2f %12.1f %10.1f %9.0f ms %5d->%-6d"
                    + " %,14d%n", r.replay() ? "on" : "off", r.trainerRate(), r.bareRate(), r.ratio(),
                    r.trainerCpuMicros(), r.bareCpuMicros(), r.serving() / r.seconds(),
                    r.servingBytesPerSecond() / 1e6, r.checkpointBytesPerSecond() / 1e6, r.checkpointCommitMs(),
                    r.heapFirst() >> 20, r.heapLast() >> 20, r.replayed());
        }
        out.flush();
    }

    private static double sum(Metrics metrics, String name, String table) {
        var s = metrics.registry().find(name).tag("table", table).summary();
        return s == null ? 0 : s.totalAmount();
    }

    /** Reads every ratings record from the start and parses it with the boundary's validating parser. */
    private BareRound bareConsumer(long events, CoreUse cores) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(settings, "bench-bare-consumer", null))) {
            List<TopicPartition> tps = c.partitionsFor(Topics.RATINGS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long count = 0;
            long checksum = 0;
            CoreUse.Sample before = cores.sample();
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
            CoreUse.Sample after = cores.sample();
            if (count < events || checksum == 0) {
                throw new IllegalStateException("the bare consumer read " + count + " records, expected " + events);
            }
            return new BareRound(rate, before.process() < 0 ? Double.NaN : (after.process() - before.process()) / 1e3 / count,
                    (after.loadGenerator() - before.loadGenerator()) / 1e3 / count);
        }
    }
}
