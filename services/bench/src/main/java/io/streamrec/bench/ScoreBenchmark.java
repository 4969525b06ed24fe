package io.streamrec.bench;

import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.state.ScorerConfig;
import io.streamrec.score.ScorerApp;
import io.streamrec.files.Directories;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.Metrics;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

/**
 * {@code streamrec bench score}: the scorer on a real broker with a synthetic model of a realistic size.
 *
 * <p>The model has the structure a trained one has, which is what candidate retrieval relies on: items belong to
 * one of 50 latent genres (a genre's centre plus noise), the factors' energy decays over the dimensions
 * (standard deviation ∝ 1/√(1 + k)), item biases follow a long-tailed popularity (−0.5·ln(rank) plus noise), and
 * each user mixes two genres. Factors drawn independently (isotropic Gaussian, no structure at all) are the worst
 * case for any nearest-neighbour index; docs/architecture.md gives the recall there.
 *
 * <ol>
 *   <li>Users rescored per second after a snapshot that touches every user: the scorer runs with the item side
 *       loaded; one transaction then publishes every user's row; the clock runs from the commit to the last
 *       user's list read back by a consumer. Three times: first as the scorer's first work (a cold JIT), then
 *       again, and once more after the steady-rate latency phases, when C2 has compiled the broker's and the
 *       clients' code too (in the first minute it takes a fifth of the machine: docs/architecture.md).</li>
 *   <li>Rating-to-recommendation latency at each steady rate: ratings for random users, each sent at its
 *       scheduled time; latency is from the send to the moment a consumer of {@code recommendations} holds a list
 *       for that user triggered by that rating (sub-millisecond: both ends are in this process). Beside it, at the
 *       same rate and with the same producer and consumer settings, Kafka alone: records sent to a scratch topic
 *       and read back, the floor any Kafka pipeline pays.</li>
 * </ol>
 * The scorer, the load generator and (without --bootstrap-server) the broker share this machine's cores, as in
 * the demo. The ratings trigger fold-ins (their users' rows count none of them), as between snapshots.
 */
public final class ScoreBenchmark {
    private static final long SEED = 7;

    private final Settings settings;
    private final PrintWriter out;
    private final int users;
    private final int items;
    private final int dim;
    private final SyntheticModel model;
    /** Users whose served lists are compared with a full scan of the catalogue: every this many. */
    private static final int RECALL_SAMPLE_EVERY = 50;
    /** The last snapshot version committed: the item side's first, then each full or latency-phase snapshot's. */
    private final AtomicLong lastVersion = new AtomicLong();
    /**
     * Users the latency phases sent ratings for (main thread only): left out of recall, since their lists fold in
     * those ratings and skip the rated items, where the full scan it is compared with ranks their row alone.
     */
    private final BitSet rated = new BitSet();
    /** Where the cores go in each phase; made once the run's application id is known. */
    private CoreUse cores;

    private ScoreBenchmark(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
        this.users = settings.integer("bench.score.users");
        this.items = settings.integer("bench.score.items");
        this.dim = settings.integer("bench.score.dim");
        if (users < 1 || items < 1 || dim < 1) {
            throw new IllegalArgumentException("bench.score.users, items and dim must be positive");
        }
        this.model = new SyntheticModel(items, dim, SEED);
    }

    /**
     * Runs the benchmark against the broker of {@code kafka.bootstrap.servers}, which must hold no streamrec data:
     * it writes a synthetic model and ratings to the registry's topics.
     */
    public static void run(Settings settings, PrintWriter out) throws InterruptedException {
        new ScoreBenchmark(settings, out).run();
    }

    private void run() throws InterruptedException {
        int[] rates = Arrays.stream(settings.text("bench.score.rates").split(",")).map(String::strip)
                .mapToInt(Integer::parseInt).toArray();
        Duration measured = Duration.ofMillis((long) (settings.decimal("bench.score.seconds") * 1000));
        Duration warmUp = Duration.ofMillis((long) (settings.decimal("bench.score.warm-up-seconds") * 1000));
        String app = "streamrec-bench-score-" + UUID.randomUUID().toString().substring(0, 8);
        Path stateDir = tempDir();
        Settings s = settings.with("scorer.application-id", app).with("scorer.state-dir", stateDir)
                .with("scorer.http.port", 0).with("metrics.port", -1);
        cores = new CoreUse("scorer", ScoreBenchmark::scorerThread, "load generator",
                name -> name.equals("main") || name.startsWith("bench-") || name.endsWith(app + "-ratings")
                        || name.endsWith(app + "-model") || name.endsWith(app + "-lists") || name.endsWith(app + "-admin"),
                "broker and other Java threads");
        Topic<byte[], byte[]> scratch = new Topic<>(app + "-baseline", Serdes.ByteArray(), Serdes.ByteArray(),
                Topics.USER_PARTITIONS, Topic.Cleanup.DELETE, Map.of(), "scratch topic of bench score");
        try (Admin admin = KafkaClients.newAdmin(s, app + "-admin")) {
            int rf = s.integer("topics.replication-factor");
            TopicAdmin.ensureTopics(admin, rf, Duration.ofSeconds(60));
            requireEmpty(admin);
            TopicAdmin.ensureTopics(admin, List.of(scratch), rf, Duration.ofSeconds(60));
            ScorerConfig config = ScorerConfig.from(s);
            out.printf("bench score: %,d users x %,d items, d=%d (mf, implicit, 50 latent genres); scorer: %s, "
                            + "%d stream thread(s), %d rescoring thread(s), %s, linger.ms=%d, %s store, "
                            + "record cache %d MB, commit every %d ms; %d cores, "
                            + "load average %.2f%n", users, items, dim, config.retrieval().approximate()
                            && items >= config.retrieval().minItems()
                            ? "candidate retrieval (" + config.retrieval().candidates() + " candidates, exact re-ranking)"
                            : "exact (full scans)", config.streamThreads(), config.rescoreThreads(),
                    config.guarantee().streamsName(), config.lingerMs(), config.store().name().toLowerCase(),
                    ScorerApp.recordCacheBytes(config, Runtime.getRuntime().maxMemory()) >> 20,
                    config.commitInterval().toMillis(),
                    Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            out.flush();
            try (KafkaProducer<byte[], byte[]> producer = producer(s, app);
                 ListWatcher lists = new ListWatcher(s, app)) {
                loadItems(s, app);
                try (Metrics metrics = Metrics.inMemory(); ScorerApp scorer = ScorerApp.start(s, metrics)) {
                    if (!scorer.awaitRunning(Duration.ofMinutes(5))) {
                        throw new IllegalStateException("the scorer did not start within 5 minutes");
                    }
                    // Below scorer.retrieval.min-items the scorer scans the catalogue and builds no index.
                    if (config.retrieval().approximate() && items >= config.retrieval().minItems()) {
                        awaitIndex(scorer, config.retrieval().index());
                    }
                    // The first is the first work the scorer does, with the JIT still compiling (a third of a core
                    // went to C2 in it); the second is what a running scorer meets.
                    rescoreEveryone(s, app, lists, metrics, lastVersion.incrementAndGet(), "");
                    rescoreEveryone(s, app, lists, metrics, lastVersion.incrementAndGet(), ", again");
                    out.printf("rating -> recommendation latency in ms (%d s measured after %d s warm-up; "
                                    + "Kafka alone = the same records through a scratch topic):%n",
                            measured.toSeconds(), warmUp.toSeconds());
                    out.printf("  %10s | %-26s | %-26s | %8s | %-19s | %s%n", "rate", "Kafka alone p50/p99/p99.9",
                            "scorer p50/p99/p99.9", "p99 x", "lists / ratings", "scorer kept up with");
                    out.flush();
                    for (int rate : rates) {
                        ratePhase(s, app, producer, lists, metrics, scratch.name(), rate, 0, measured, warmUp);
                    }
                    // Before the phase of continual snapshots, which leaves a backlog of queued users behind.
                    rescoreEveryone(s, app, lists, metrics, lastVersion.incrementAndGet(),
                            ", once more after the latency phases (JIT settled)");
                    int snapshotUsers = settings.integer("bench.score.snapshot-users");
                    if (snapshotUsers > 0) {
                        out.printf("  while snapshots of %,d users each arrive every second (continual training):%n",
                                snapshotUsers);
                        ratePhase(s, app, producer, lists, metrics, scratch.name(), rates[0], snapshotUsers, measured,
                                warmUp);
                    }
                    io.micrometer.core.instrument.Timer t = metrics.registry().find(ScorerMetrics.PREFIX + "rating.latency").timer();
                    if (t != null) {
                        out.printf("scorer's own histogram (record timestamp to send, ms resolution, all phases): "
                                + "%,d ratings, max %.1f ms%n", t.count(), t.max(TimeUnit.MILLISECONDS));
                    }
                }
            } finally {
                try {
                    admin.deleteTopics(List.of(scratch.name())).all().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    out.println("  could not delete scratch topic " + scratch.name() + ": " + e);
                }
            }
        } finally {
            Directories.deleteRecursively(stateDir);
        }
        out.flush();
    }

    /**
     * One row of the latency table: Kafka alone, then the scorer at the rate; with {@code snapshotUsers} &gt; 0, a
     * snapshot of that many random users' rows is committed every second meanwhile, as a continually training
     * trainer does, and the rescoring of those users runs beside the ratings.
     */
    private void ratePhase(Settings s, String app, KafkaProducer<byte[], byte[]> producer, ListWatcher lists,
                           Metrics metrics, String scratch, int rate, int snapshotUsers, Duration measured,
                           Duration warmUp) throws InterruptedException {
        Histogram kafka = baseline(s, producer, scratch, rate, measured, warmUp);
        double[] before = paths(metrics);
        double snapshotRescoredBefore = rescoredBySnapshots(metrics);
        CoreUse.Sample coresBefore = cores.sample();
        AtomicBoolean stop = new AtomicBoolean();
        Thread snapshots = new Thread(() -> publishSnapshots(s, app, snapshotUsers, stop), "bench-score-snapshots");
        long started = System.nanoTime();
        if (snapshotUsers > 0) {
            snapshots.start();
        }
        Phase scored;
        String coresUsed;
        try {
            scored = latency(producer, lists, rate, measured, warmUp);
            coresUsed = cores.since(coresBefore); // before the snapshots' thread ends, which takes its CPU time along
        } finally {
            stop.set(true);
            if (snapshotUsers > 0) {
                snapshots.join();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuPerRating = (cores.sample().service() - coresBefore.service()) / 1e3 / scored.reflected;
        out.printf("  %,8d/s | %-26s | %-26s | %7.1fx | %-19s | %,.0f ratings/s%s%n", rate,
                percentiles(kafka), percentiles(scored.histogram),
                ms(scored.histogram, 99) / Math.max(0.001, ms(kafka, 99)),
                String.format("%,d / %,d", scored.delivered, scored.sent), scored.reflectedRate,
                scored.achievedRate < rate * 0.95 ? String.format("  (sent at only %,.0f/s)", scored.achievedRate) : "");
        out.printf("  %10s   lists ranked by: %s; scorer threads' CPU %.0f µs per list%s%n", "",
                pathsSince(metrics, before), cpuPerRating, snapshotUsers > 0 ? String.format(
                        " (ratings' and snapshots'); snapshot-triggered lists %,.0f/s",
                        (rescoredBySnapshots(metrics) - snapshotRescoredBefore) / seconds)
                        : String.format(" = %,.0f ratings/s per core", 1e6 / cpuPerRating));
        out.printf("  %10s   inside the scorer, last 15 s (ms resolution): produce to stream thread p50/p99 %s, "
                + "produce to list sent %s%n", "", scorerPercentiles(metrics, "rating.arrival"),
                scorerPercentiles(metrics, "rating.latency"));
        out.printf("  %10s   %s%n", "", coresUsed);
        out.flush();
    }

    /**
     * The scorer's own rolling p50/p99 of one of its rating timers: with the end-to-end figures they say which hop
     * a tail comes from (the rating's way in, the ranking, or the list's way out).
     */
    private static String scorerPercentiles(Metrics metrics, String timer) {
        io.micrometer.core.instrument.Timer t = metrics.registry().find(ScorerMetrics.PREFIX + timer).timer();
        if (t == null) {
            return "n/a";
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        for (var v : t.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.5) {
                p50 = v.value(TimeUnit.MILLISECONDS);
            } else if (v.percentile() == 0.99) {
                p99 = v.value(TimeUnit.MILLISECONDS);
            }
        }
        return String.format("%.1f / %.1f ms", p50, p99);
    }

    /** Commits a snapshot of {@code users} random users' rows every second until stopped (the next versions). */
    private void publishSnapshots(Settings s, String app, int count, AtomicBoolean stop) {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        try (KafkaProducer<byte[], byte[]> tx = transactional(s, app)) {
            while (!stop.get()) {
                long version = lastVersion.incrementAndGet();
                long due = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                tx.beginTransaction();
                for (int i = 0; i < count; i++) {
                    tx.send(new ProducerRecord<>(Topics.USER_FACTORS.name(), key(1 + random.nextInt(users)),
                            new FactorRow(version, 0, model.user(random), new float[0]).encode()));
                }
                tx.send(manifestRecord(version, 0, count));
                tx.commitTransaction();
                LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
            }
        }
    }

    /** Item rows, the catalogue and manifest v1, in one transaction like the trainer's. */
    private void loadItems(Settings s, String app) {
        long t = System.nanoTime();
        long version = lastVersion.incrementAndGet();
        try (KafkaProducer<byte[], byte[]> tx = transactional(s, app)) {
            tx.beginTransaction();
            for (long m = 1; m <= items; m++) {
                tx.send(new ProducerRecord<>(Topics.ITEM_FACTORS.name(), key(m),
                        new FactorRow(version, 10, model.item(m), new float[0]).encode()));
                Movie movie = new Movie(m, "Synthetic movie number " + m, 1950 + (int) (m % 70), List.of("Drama", "Comedy"));
                tx.send(new ProducerRecord<>(Topics.MOVIES.name(), key(m),
                        Topics.MOVIES.valueSerde().serializer().serialize(Topics.MOVIES.name(), movie)));
            }
            tx.send(manifestRecord(version, items, 0));
            tx.commitTransaction();
        }
        out.printf("loaded %,d item rows and movies in %.1f s%n", items, (System.nanoTime() - t) / 1e9);
    }

    /** Waits until the scorer serves from a candidate index, and says how long building it took. */
    private void awaitIndex(ScorerApp scorer, ScorerConfig.IndexKind kind) throws InterruptedException {
        long t = System.nanoTime();
        long deadline = t + TimeUnit.MINUTES.toNanos(10);
        while (scorer.indexedItems() < items && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        out.printf("candidate index (%s): %,d items, ready %.1f s after the scorer started%n",
                kind.name().toLowerCase(Locale.ROOT), scorer.indexedItems(),
                (System.nanoTime() - t) / 1e9);
        out.flush();
    }

    /**
     * One transaction with every user's row; the time until every user's new list is read back. The lists of every
     * {@value #RECALL_SAMPLE_EVERY}th user are compared with the exact top K of a full scan (recall@K).
     */
    private void rescoreEveryone(Settings s, String app, ListWatcher lists, Metrics metrics, long snapshot, String which)
            throws InterruptedException {
        SplittableRandom random = new SplittableRandom(SEED + snapshot - 1); // the first as it always was
        AtomicLong listed = new AtomicLong();
        boolean[] seen = new boolean[users + 1];
        Map<Long, float[]> sampleRows = new HashMap<>();
        Map<Long, long[]> sampleLists = new ConcurrentHashMap<>();
        lists.onList((user, trigger, triggeredAt, version, receivedNanos, movieIds) -> {
            if (trigger.equals("snapshot") && version == snapshot && user <= users) {
                synchronized (seen) {
                    if (!seen[(int) user]) {
                        seen[(int) user] = true;
                        listed.incrementAndGet();
                    }
                }
                if (user % RECALL_SAMPLE_EVERY == 0) {
                    sampleLists.put(user, movieIds.get());
                }
            }
        });
        double[] before = paths(metrics);
        double countedBefore = rescoredBySnapshots(metrics);
        CoreUse.Sample coresBefore = cores.sample();
        long committed;
        double seconds;
        String coresUsed;
        try (KafkaProducer<byte[], byte[]> tx = transactional(s, app)) {
            tx.beginTransaction();
            for (long u = 1; u <= users; u++) {
                float[] row = model.user(random);
                if (u % RECALL_SAMPLE_EVERY == 0 && !rated.get((int) u)) {
                    sampleRows.put(u, row);
                }
                tx.send(new ProducerRecord<>(Topics.USER_FACTORS.name(), key(u),
                        new FactorRow(snapshot, 0, row, new float[0]).encode()));
            }
            tx.send(manifestRecord(snapshot, 0, users));
            tx.commitTransaction();
            committed = System.nanoTime();
            long deadline = committed + TimeUnit.MINUTES.toNanos(30);
            while (listed.get() < users && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            seconds = (System.nanoTime() - committed) / 1e9;
            coresUsed = cores.since(coresBefore); // before the producer's network thread ends with its CPU time
        }
        double cpuPerUser = (cores.sample().service() - coresBefore.service()) / 1e3 / Math.max(1, listed.get());
        lists.onList(null);
        double counted = rescoredBySnapshots(metrics) - countedBefore;
        out.printf("snapshot touching every user%s: %,d of %,d users' lists read back %.1f s after the commit = %,.0f "
                + "users rescored/s (scorer's counter: %,.0f); lists ranked by: %s%n", which, listed.get(), users,
                seconds, listed.get() / seconds, counted, pathsSince(metrics, before));
        out.printf("  scorer threads' CPU %.0f µs per user = %,.0f users/s per core; %s%n", cpuPerUser, 1e6 / cpuPerUser,
                coresUsed);
        out.printf("recall@10 of the served lists against a full scan of the catalogue: %.4f (%,d users)%n",
                model.recall(sampleRows, sampleLists, s.integer("scorer.top-k")),
                sampleLists.keySet().stream().filter(sampleRows::containsKey).count());
        out.flush();
    }

    private static double rescoredBySnapshots(Metrics metrics) {
        return metrics.registry().find(ScorerMetrics.PREFIX + "rescored").tag("trigger", "snapshot").counter().count();
    }

    /**
     * The scorer's threads: its stream threads with their producers' network threads, its global thread, its
     * rescoring and index threads. Their CPU is what a core's worth of scorer costs, whatever else shares the machine
     * (the broker and this benchmark's clients run in this JVM too, and other processes may).
     */
    private static boolean scorerThread(String name) {
        return name.contains("StreamThread") || name.startsWith("scorer-");
    }

    /** Lists the model ranked so far, per path (pool, index, scan). */
    private static double[] paths(Metrics metrics) {
        double[] counts = new double[ScorerMetrics.Path.values().length];
        for (ScorerMetrics.Path p : ScorerMetrics.Path.values()) {
            var c = metrics.registry().find(ScorerMetrics.PREFIX + "ranked").tag("path", p.name().toLowerCase()).counter();
            counts[p.ordinal()] = c == null ? 0 : c.count();
        }
        return counts;
    }

    private static String pathsSince(Metrics metrics, double[] before) {
        double[] now = paths(metrics);
        StringBuilder b = new StringBuilder();
        for (ScorerMetrics.Path p : ScorerMetrics.Path.values()) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format("%s %,.0f", p.name().toLowerCase(),
                    now[p.ordinal()] - before[p.ordinal()]));
        }
        return b.toString();
    }

    /**
     * @param reflectedRate ratings whose list was read back per second, from the first send to the last list: the
     *                      rate the scorer sustained (below the offered rate once it saturates)
     */
    private record Phase(Histogram histogram, long sent, long delivered, double achievedRate, double reflectedRate,
                         long reflected) {
    }

    /** Ratings at a steady rate; each one's latency until its user's list triggered by it is read back. */
    private Phase latency(KafkaProducer<byte[], byte[]> producer, ListWatcher lists, int rate, Duration measured,
                          Duration warmUp) throws InterruptedException {
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        Map<Long, ArrayDeque<long[]>> outstanding = new ConcurrentHashMap<>();
        AtomicLong delivered = new AtomicLong();
        AtomicLong reflected = new AtomicLong();
        AtomicLong lastReflectedAt = new AtomicLong();
        long measureFrom = System.nanoTime() + warmUp.toNanos();
        // A user's entry goes when nothing of theirs is outstanding: kept for every user ever rated, the entries lived
        // for the whole row in the scorer's JVM, and each young collection copied them again (docs/architecture.md,
        // "What survives a young collection").
        lists.onList((user, trigger, triggeredAt, version, receivedNanos, movieIds) -> {
            if (!trigger.equals("rating")) {
                return;
            }
            outstanding.computeIfPresent(user, (u, q) -> {
                while (!q.isEmpty() && q.peekFirst()[0] <= triggeredAt) {
                    long[] sent = q.pollFirst();
                    reflected.incrementAndGet();
                    lastReflectedAt.set(receivedNanos);
                    if (sent[1] >= measureFrom) {
                        histogram.recordValue(Math.max(0, (receivedNanos - sent[1]) / 1000));
                        delivered.incrementAndGet();
                    }
                }
                return q.isEmpty() ? null : q;
            });
        });
        SplittableRandom random = new SplittableRandom(SEED + rate);
        AtomicLong failed = new AtomicLong();
        long total = (measured.toNanos() + warmUp.toNanos()) * rate / 1_000_000_000L;
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long measuredSent = 0;
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 20_000) {
                LockSupport.parkNanos(wait);
            }
            long user = 1 + random.nextInt(users);
            rated.set((int) user);
            long movie = 1 + random.nextInt(items);
            long now = System.currentTimeMillis();
            byte[] value = RatingCodec.toJson(new Rating(user, movie, 0.5f * (1 + random.nextInt(10)), now));
            long sentNanos = System.nanoTime();
            long[] sent = {now, sentNanos};
            outstanding.compute(user, (u, q) -> {
                ArrayDeque<long[]> queue = q == null ? new ArrayDeque<>(2) : q;
                queue.addLast(sent);
                return queue;
            });
            if (sentNanos >= measureFrom) {
                measuredSent++;
            }
            producer.send(new ProducerRecord<>(Topics.RATINGS.name(), null, now, key(user), value), (m, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                }
            });
        }
        double achieved = total / ((System.nanoTime() - start) / 1e9);
        producer.flush();
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (delivered.get() < measuredSent && System.nanoTime() < drainUntil) {
            Thread.sleep(20);
        }
        lists.onList(null);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " ratings could not be sent");
        }
        double reflectedRate = reflected.get() / Math.max(1e-9, (lastReflectedAt.get() - start) / 1e9);
        return new Phase(histogram, measuredSent, delivered.get(), achieved, reflectedRate, reflected.get());
    }

    /** Kafka alone: records of a rating's size sent at the rate to the scratch topic and read back. */
    private Histogram baseline(Settings s, KafkaProducer<byte[], byte[]> producer, String topic, int rate,
                               Duration measured, Duration warmUp) throws InterruptedException {
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        long total = (measured.toNanos() + warmUp.toNanos()) * rate / 1_000_000_000L;
        long[] sentAt = new long[(int) total];
        long measureFrom = System.nanoTime() + warmUp.toNanos();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        Properties p = consumerProperties(s, "bench-score-baseline");
        Thread reader;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = IntStream.range(0, Topics.USER_PARTITIONS)
                    .mapToObj(i -> new TopicPartition(topic, i)).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            reader = new Thread(() -> {
                while (!done.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                        long now = System.nanoTime();
                        int seq = ByteBuffer.wrap(r.value()).getInt();
                        if (sentAt[seq] >= measureFrom) {
                            histogram.recordValue(Math.max(0, (now - sentAt[seq]) / 1000));
                        }
                        received.incrementAndGet();
                    }
                }
            }, "bench-baseline-reader");
            reader.start();
            SplittableRandom random = new SplittableRandom(SEED);
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long wait = start + i * interval - System.nanoTime();
                if (wait > 20_000) {
                    LockSupport.parkNanos(wait);
                }
                long user = 1 + random.nextInt(users);
                byte[] rating = RatingCodec.toJson(new Rating(user, 1 + random.nextInt(items), 4, System.currentTimeMillis()));
                byte[] value = ByteBuffer.allocate(4 + rating.length).putInt(i).put(rating).array();
                sentAt[i] = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, key(user), value));
            }
            producer.flush();
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.get() < total && System.nanoTime() < drainUntil) {
                Thread.sleep(20);
            }
            done.set(true);
            reader.join();
        }
        return histogram;
    }

    /** A consumer thread on {@code recommendations}, from the end, handing each list's header to a listener. */
    private static final class ListWatcher implements AutoCloseable {
        interface Listener {
            /** @param movieIds the list's items, parsed when asked for */
            void list(long user, String trigger, long triggeredAt, long version, long receivedNanos,
                      java.util.function.Supplier<long[]> movieIds);
        }

        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private volatile Listener listener;

        ListWatcher(Settings s, String app) {
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(s, app + "-lists"));
            List<TopicPartition> partitions = IntStream.range(0, Topics.RECOMMENDATIONS.partitions())
                    .mapToObj(i -> new TopicPartition(Topics.RECOMMENDATIONS.name(), i)).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = new Thread(() -> {
                try (consumer) {
                    while (!stop.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                            long now = System.nanoTime();
                            Listener l = listener;
                            if (l != null) {
                                byte[] value = r.value();
                                Header h = header(value);
                                l.list(h.user, h.trigger, h.triggeredAt, h.version, now, () -> {
                                    JsonNode items = read(value).get("items");
                                    long[] ids = new long[items.size()];
                                    for (int i = 0; i < ids.length; i++) {
                                        ids[i] = items.get(i).get("movieId").asLong();
                                    }
                                    return ids;
                                });
                            }
                        }
                    }
                }
            }, "bench-score-lists");
            thread.setDaemon(true);
            thread.start();
        }

        void onList(Listener l) {
            listener = l;
        }

        /** A list's fields before its items. */
        private static final class Header {
            long user = -1;
            String trigger;
            long triggeredAt = -1;
            long version = -1;
        }

        /**
         * Reads a list's header and stops at its items, which are parsed only when asked for (the recall checks):
         * parsing every list whole, this reader took 0.12-0.17 of a core at 10,000 lists/s (/proc/&lt;pid&gt;/task),
         * CPU the scorer under test then lacked on two cores. A subscriber elsewhere costs the scorer nothing.
         */
        private static Header header(byte[] value) {
            Header h = new Header();
            try (JsonParser p = JsonSchemas.MAPPER.getFactory().createParser(value)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("a list is not a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    if (field.equals("items")) {
                        break;
                    }
                    p.nextToken();
                    switch (field) {
                        case "userId" -> h.user = p.getLongValue();
                        case "trigger" -> h.trigger = p.getText();
                        case "triggeredAt" -> h.triggeredAt = p.getLongValue();
                        case "modelVersion" -> h.version = p.getLongValue();
                        default -> p.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (h.user < 0 || h.trigger == null || h.version < 0) { // written in another order: read it whole
                JsonNode list = read(value);
                JsonNode at = list.get("triggeredAt");
                h.user = list.get("userId").asLong();
                h.trigger = list.get("trigger").asText();
                h.triggeredAt = at == null ? -1 : at.asLong();
                h.version = list.get("modelVersion").asLong();
            }
            return h;
        }

        private static JsonNode read(byte[] value) {
            try {
                return JsonSchemas.MAPPER.readTree(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void requireEmpty(Admin admin) {
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (Topic<?, ?> t : List.of(Topics.RATINGS, Topics.USER_FACTORS, Topics.ITEM_FACTORS, Topics.SNAPSHOTS)) {
            for (int p = 0; p < t.partitions(); p++) {
                ends.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
            }
        }
        try {
            long records = admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(i -> i.offset()).sum();
            if (records > 0) {
                throw new IllegalArgumentException("bench score writes a synthetic model and ratings to streamrec's topics, "
                        + "and this broker already holds " + records + " records in them: run it without --bootstrap-server "
                        + "(an embedded broker) or against a scratch cluster");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of streamrec's topics: " + e.getMessage(), e);
        }
    }

    SnapshotManifest manifest(long version, long itemRows, long userRows) {
        Map<String, Object> config = Map.of("model", "mf", "objective", "implicit", "dim", dim, "globalOffset", 0.0,
                "optimizer", "sgd", "negatives", 4);
        return new SnapshotManifest("mf", version, System.currentTimeMillis(), 0, 0, 0, List.of(), userRows, itemRows,
                config, Map.of(), Map.of());
    }

    private ProducerRecord<byte[], byte[]> manifestRecord(long version, long itemRows, long userRows) {
        SnapshotManifest m = manifest(version, itemRows, userRows);
        return new ProducerRecord<>(Topics.SNAPSHOTS.name(), m.model().getBytes(StandardCharsets.UTF_8),
                Topics.SNAPSHOTS.valueSerde().serializer().serialize(Topics.SNAPSHOTS.name(), m));
    }

    /** The producer of the latency phases: the project's producer for live events, sent at once. */
    private static KafkaProducer<byte[], byte[]> producer(Settings s, String app) {
        return new KafkaProducer<>(KafkaClients.liveProducer(s, app + "-ratings"));
    }

    private static KafkaProducer<byte[], byte[]> transactional(Settings s, String app) {
        Properties p = KafkaClients.producer(s, app + "-model");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, app + "-model-" + UUID.randomUUID());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    private static Properties consumerProperties(Settings s, String clientId) {
        Properties p = KafkaClients.consumer(s, clientId, null);
        p.put("fetch.max.wait.ms", "100");
        return p;
    }

    private static byte[] key(long id) {
        return Long.toString(id).getBytes(StandardCharsets.UTF_8);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String percentiles(Histogram h) {
        return String.format("%.2f / %.2f / %.2f", ms(h, 50), ms(h, 99), ms(h, 99.9));
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("streamrec-bench-score-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
