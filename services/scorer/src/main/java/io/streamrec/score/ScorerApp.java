package io.streamrec.score;

import io.streamrec.contract.Topics;
import io.streamrec.score.stream.UserClustering;
import io.streamrec.score.query.QueryServer;
import io.streamrec.score.stream.UserProcessor;
import io.streamrec.score.stream.ScorerTopology;
import io.streamrec.score.stream.SkipRecordsTooLarge;
import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.state.ScorerConfig;
import io.streamrec.score.state.SentLists;
import io.streamrec.score.model.Clusters;
import io.streamrec.config.Settings;
import io.streamrec.http.HttpConfig;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.kafka.KafkaReachability;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.Metrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running scorer instance: the Kafka Streams application ({@link ScorerTopology}), its interactive-query HTTP
 * server ({@link QueryServer}) and the periodic clustering job. Instances started with the same
 * {@code scorer.application-id} share the partitions; each needs its own {@code scorer.state-dir} and HTTP port.
 *
 * <pre>{@code
 * try (ScorerApp scorer = ScorerApp.start(settings, metrics)) {
 *     scorer.awaitRunning(Duration.ofSeconds(30));
 *     ... scorer.httpUrl() ...
 * }
 * }</pre>
 */
public final class ScorerApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScorerApp.class);

    private final ScorerState state;
    private final KafkaStreams streams;
    private final QueryServer queries;
    private final ScheduledExecutorService clustering;
    private final HostInfo self;
    private final KafkaReachability kafka;

    private ScorerApp(ScorerState state, KafkaStreams streams, QueryServer queries, ScheduledExecutorService clustering,
                      HostInfo self, KafkaReachability kafka) {
        this.state = state;
        this.streams = streams;
        this.queries = queries;
        this.clustering = clustering;
        this.self = self;
        this.kafka = kafka;
    }

    /**
     * Creates the topics when {@code topics.create} is on (and the scorer's own rerouted-ratings topic in any case),
     * binds the HTTP server, then starts Kafka Streams; returns
     * once the global state (item factors, manifest, catalogue) is loaded.
     *
     * @throws IllegalArgumentException  for bad settings
     * @throws io.streamrec.kafka.KafkaUnreachableException when no broker answers
     */
    public static ScorerApp start(Settings settings, Metrics metrics) {
        ScorerConfig config = ScorerConfig.from(settings);
        TopicAdmin.requireBroker(settings);
        // The scorer's own topic, like Kafka Streams' changelogs: created whatever topics.create says.
        try (Admin admin = KafkaClients.newAdmin(settings, config.applicationId() + "-admin")) {
            TopicAdmin.prepare(settings, admin, Topics.ALL);
            TopicAdmin.ensureTopics(admin, List.of(ScorerTopology.reroutedRatings(config.applicationId())),
                    settings.integer("topics.replication-factor"), TopicAdmin.START_TIMEOUT);
        }
        ScorerState state = new ScorerState(config, new ScorerMetrics(metrics.registry()), new SentLists(
                () -> new KafkaConsumer<>(KafkaClients.consumer(settings, config.applicationId() + "-sent-lists", null))));
        QueryServer queries;
        try {
            queries = new QueryServer(state, HttpConfig.from(settings), config.httpHost(), config.httpPort());
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
        HostInfo self = new HostInfo(config.advertisedHost(), queries.port());
        KafkaStreams streams;
        try {
            streams = new KafkaStreams(ScorerTopology.build(state), streamsProperties(settings, config, self));
        } catch (RuntimeException e) {
            queries.close();
            state.close();
            if (e instanceof StreamsException && e.getMessage() != null
                    && e.getMessage().startsWith("Unable to initialize state")) {
                // Kafka Streams locks its state directory; a second scorer on the same one fails here. Kafka Streams
                // 4.3 throws a plain StreamsException with no cause for it, so its message is what tells it apart.
                throw new IllegalArgumentException("the state directory " + config.stateDir() + " is in use by another"
                        + " scorer on this machine (Kafka Streams locks it): give this one its own with --state-dir"
                        + " (scorer.state-dir)", e);
            }
            throw e;
        }
        // A failed stream thread (a bug, or a broker error beyond the clients' retries) is replaced rather than
        // taking the instance down; its tasks restart from the last commit.
        streams.setUncaughtExceptionHandler(e -> {
            log.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        ScheduledExecutorService clustering = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scorer-clustering");
            t.setDaemon(true);
            return t;
        });
        KafkaReachability kafka;
        try {
            kafka = KafkaReachability.start(config.health(), settings, config.applicationId() + "-health");
        } catch (RuntimeException e) {
            clustering.shutdownNow();
            streams.close(Duration.ofSeconds(30));
            queries.close();
            state.close();
            throw e;
        }
        ScorerApp app = new ScorerApp(state, streams, queries, clustering, self, kafka);
        app.registerStoreGauges();
        metrics.healthCheck("scorer", app::problems);
        queries.start(streams, self, app::problems);
        try {
            streams.start();
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        if (config.clusters() > 0) {
            long period = config.clusterPeriod().toMillis();
            clustering.scheduleWithFixedDelay(app::recluster, Math.min(period, 10_000), period, TimeUnit.MILLISECONDS);
        }
        log.info("scorer {} started: queries at http://{}:{}, {} stream thread(s), {}", config.applicationId(),
                self.host(), self.port(), config.streamThreads(), config.guarantee().streamsName());
        return app;
    }

    /** The record cache's size: {@code scorer.record-cache-mb}, but at most a quarter of the heap, and said so. */
    public static long recordCacheBytes(ScorerConfig config, long maxHeapBytes) {
        long wanted = config.recordCacheMb() << 20;
        long cap = maxHeapBytes / 4;
        if (wanted <= cap) {
            return wanted;
        }
        log.info("record cache of {} MB: scorer.record-cache-mb={} is more than a quarter of this JVM's heap ({} MB)",
                cap >> 20, config.recordCacheMb(), maxHeapBytes >> 20);
        return cap;
    }

    /**
     * Kafka Streams configuration: streamrec's choices first, then the user's pass-through ({@code kafka.*},
     * {@code kafka.streams.*}), which may override any of them.
     *
     * <p>Processing guarantee, at-least-once by default: under exactly_once_v2 the lists would reach
     * read_committed consumers only when the task commits its transaction (commit.interval.ms, 100 ms by
     * default under EOS), tens of milliseconds after they are computed, which alone breaks a 10 ms p99. What
     * at-least-once costs after a crash: ratings since the last commit are processed again. That is harmless here:
     * a recommendation is a whole list keyed by user (a repeat overwrites it with an equal or fresher one), the
     * rated-items store applies a rating only past the user's last applied offset, and the rescore queue is a
     * set. The inputs are still read read_committed (Streams reads read_uncommitted under at-least-once unless
     * told), so a snapshot's rows are never seen before the trainer commits them.
     */
    @SuppressWarnings("deprecation")
    public static Properties streamsProperties(Settings settings, ScorerConfig config, HostInfo self) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.guarantee().streamsName());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, settings.integer("topics.replication-factor"));
        p.put(StreamsConfig.POLL_MS_CONFIG, config.pollMs());
        // The record cache in front of the stores, and how often a commit writes it out (scorer.record-cache-mb and
        // scorer.commit-interval-ms in config/streamrec.properties say why these sizes).
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG,
                recordCacheBytes(config, Runtime.getRuntime().maxMemory()));
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        // The global stores' restore polls each partition until it reaches the end, and the last poll of a
        // partition comes back empty only after fetch.max.wait.ms (500 ms by default): 3.4 s of a 3.8 s start with
        // seven global partitions, measured. At 50 ms the start takes 0.4 s; an idle global consumer then asks the
        // broker 20 times a second, which costs nothing measurable.
        p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);
        // The same for the tasks' changelogs: with the state updater of 4.3.1, a task whose changelogs were all
        // empty (a first start) still waited out one empty fetch before it ran; the six tasks of a first start
        // were RUNNING 0.70 s after their assignment, 0.24 s at 10 ms (the demo, logged state transitions).
        p.put(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
        // A task (a partition of ratings, of model-user-factors and of the rerouted ratings) is processable as
        // soon as any has records, without waiting to fetch the others: nothing here needs the two in timestamp
        // order (a user's row waits for the ratings it counts, see UserProcessor). At the default (0), Kafka
        // Streams 4.3.1 also formats a log line with String.format for every empty partition at every pass,
        // whatever the log level: 7 % of the stream thread's CPU in the demo (JFR), since a factor partition is
        // empty between snapshots.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        // Kafka Streams sets its producers' linger.ms to 100 unless told otherwise: 100 ms added to every list.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), config.lingerMs());
        // One produce request in flight instead of five: while a request waits for its ack (a fraction of a ms here),
        // the lists computed meanwhile gather into the next one, so a full rescore sends fewer, larger requests for the
        // broker and the producer's thread to handle, and a lone list (linger.ms 0) still goes at once. bench score,
        // seven runs each alternating: snapshots of every user 15,978 / 20,869 / 26,376 users/s on average (first,
        // second, after the latency phases) against 15,322 / 19,540 / 24,073; 1,000/s p99 1.5x Kafka alone on average
        // against 1.9x. Overridable with kafka.streams.producer.max.in.flight.requests.per.connection.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), 1);
        // And batches of up to 64 KB a partition instead of 16 KB: with one request in flight, a full rescore can fill
        // 16 KB (about 40 lists, with the stores' changelog records) before the ack comes back, and the rest waits
        // for the request after (how full the batches were was not measured; the larger ones measured faster). Six
        // runs each alternating (--set bench.score.rates=1000 --set bench.score.seconds=5 --set
        // bench.score.snapshot-users=0): first full snapshots 16,661 users/s on average against 13,939 (within 10 s in
        // 3 of 6 against none), the second 21,797 against 18,791; 1,000/s p99 no different (1.8x and 1.7x).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 64 * 1024);
        // Bad records never stop a thread: ours are parsed by the processors, which skip and count them; these
        // handlers cover anything else (a record the deserializer or a processor cannot take, an output record too
        // large to send: SkipRecordsTooLarge says why the default's FAIL would stall the partition). No dead-letter
        // topic here: routing bad ratings to ratings-dlq is the trainer's job, done once and transactionally.
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SkipRecordsTooLarge.class.getName());
        // Deprecated in 4.3 only because 5.0 makes it the default; until then the global thread needs it. Given to
        // the main consumer too: Kafka 4.3.1's partition assignor rebuilds a StreamsConfig from the main consumer's
        // settings, and without it there warns at every start that the global thread has no handler (the consumer
        // itself only notes the key at INFO as unused).
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        p.putAll(KafkaClients.streams(settings, config.applicationId()));
        return p;
    }

    /** Waits until Kafka Streams is RUNNING (partitions assigned, state restored); false on timeout. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (streams.state() == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the scorer stopped: Kafka Streams is " + streams.state());
            }
            Thread.sleep(20);
        }
        return false;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public int httpPort() {
        return self.port();
    }

    /** Base URL of this instance's interactive queries, e.g. {@code http://127.0.0.1:8090}. */
    public String httpUrl() {
        return queries.scheme() + "://" + self.host() + ":" + self.port();
    }

    /** Version of the snapshot being served, 0 before the first manifest. */
    public long modelVersion() {
        return state.items.version();
    }

    /** Items in the candidate index serving now; 0 while lists are full scans. */
    public int indexedItems() {
        var index = state.items.index();
        return index == null ? 0 : index.indexed();
    }

    /**
     * Whether this instance takes ratings late just now ({@link io.streamrec.score.state.Lateness}): a trainer in the
     * same JVM yields its replay to it ({@code StreamingTrainer.yieldReplayTo}).
     */
    public boolean behind() {
        return state.lateness.behind();
    }

    /** Item rows in the dense matrix. */
    public int items() {
        return state.items.table().liveCount();
    }

    private void recluster() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return;
        }
        try {
            long t = System.nanoTime();
            Clusters c = UserClustering.build(localStore(UserProcessor.ROWS), localStore(UserProcessor.HISTORIES),
                    state.items.spec(), state.config.clusters(), state.config.clusterIterations(), 42);
            if (c != null) {
                state.clusters.set(c);
                log.debug("k-means: {} clusters in {} ms", c.count(), (System.nanoTime() - t) / 1_000_000);
            }
        } catch (RuntimeException e) {
            // A rebalance in the middle of the scan: the next period tries again.
            log.debug("k-means skipped: {}", e.toString());
        }
    }

    private ReadOnlyKeyValueStore<String, byte[]> localStore(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
    }

    private void registerStoreGauges() {
        state.metrics.gauge("items", "Item rows in the dense matrix", () -> state.items.table().liveCount());
        state.metrics.gauge("movies", "Movies in the catalogue", state.catalog::size);
        state.metrics.gauge("model.version", "Snapshot version being served", state.items::version);
        state.metrics.gauge("retrieval.indexed.items", "Items in the candidate index serving now (0: full scans)",
                this::indexedItems);
        state.metrics.gauge("retrieval.index.builds", "Candidate indexes built since the start", state.items::indexBuilds);
        for (String store : new String[]{UserProcessor.HISTORIES, UserProcessor.ROWS}) {
            state.metrics.gauge("store." + store.replace('-', '.') + ".entries",
                    "Entries of the local " + store + " store as of its last commit (keys still in the record cache are"
                            + " not counted): exact in memory, RocksDB's estimate on disk (which counts overwritten keys"
                            + " until compaction: 7,061 for 611 users after a replay, measured)", () -> {
                        try {
                            return localStore(store).approximateNumEntries();
                        } catch (RuntimeException e) {
                            return Double.NaN; // not queryable while its task is restoring or moving in a rebalance
                        }
                    });
        }
    }

    /**
     * What is wrong now, for both {@code /health} endpoints (the queries' and the metrics'): Kafka Streams not
     * {@code RUNNING} (starting, rebalancing, failed), or Kafka not answering ({@link KafkaReachability}, which Kafka
     * Streams' own state does not show: it stays {@code RUNNING} through an outage). Empty while healthy.
     */
    public Map<String, String> problems() {
        Map<String, String> problems = new LinkedHashMap<>();
        KafkaStreams.State now = streams.state();
        if (now != KafkaStreams.State.RUNNING) {
            problems.put("streams", "Kafka Streams is " + now);
        }
        problems.putAll(kafka.problems());
        return problems;
    }

    @Override
    public void close() {
        clustering.shutdownNow();
        queries.close();
        kafka.close();
        streams.close(Duration.ofSeconds(30));
        state.close();
        log.info("scorer {} stopped", state.config.applicationId());
    }
}
