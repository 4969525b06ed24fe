package io.streamrec.bench;

import io.streamrec.replay.ReplaySummary;
import io.streamrec.replay.Pacing;
import io.streamrec.replay.Replayer;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.RatingCursor;
import io.streamrec.dataset.source.RatingSource;
import io.streamrec.dataset.source.RatingSources;
import io.streamrec.replay.EventIds;
import io.streamrec.config.Settings;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.dataset.movielens.BadRows;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures the replayer against its baseline on one broker in one run: the replayer producing a synthetic stream
 * (generated on the fly, serialised per event, counted, paced "as fast as possible"), and a bare
 * {@link KafkaProducer} loop sending the same events already serialised, with the same producer settings and a
 * callback that only counts. Rounds alternate the two so drift on a shared machine hits both alike. Both write to
 * a scratch topic with the partitions of {@code ratings}, deleted at the end, so a real cluster's {@code ratings}
 * is never touched.
 */
public final class ReplayBenchmark {
    private static final int WARM_UP_EVENTS = 200_000;
    private static final int USERS = 140_000;
    private static final int ITEMS = 27_000;
    private static final long SEED = 2024;

    /**
     * Events per second: of the replayer's work without Kafka, and of each round's two contenders in round order.
     */
    public record Result(long events, double sourceAlone, List<Double> replayer, List<Double> bareProducer) {
        public double replayerMedian() {
            return Median.of(replayer.stream().mapToDouble(Double::doubleValue).toArray());
        }

        public double bareProducerMedian() {
            return Median.of(bareProducer.stream().mapToDouble(Double::doubleValue).toArray());
        }

        /** Replayer throughput as a fraction of the bare loop's, medians of the rounds. */
        public double ratio() {
            return replayerMedian() / bareProducerMedian();
        }
    }

    private ReplayBenchmark() {
    }

    /**
     * Runs warm-up and the rounds against the broker of {@code settings}, printing each round to {@code out}.
     *
     * @throws ReplayFailedException when either contender loses a send
     */
    public static Result run(Settings settings, long events, int rounds, PrintWriter out) {
        if (events < 1 || events > Integer.MAX_VALUE - 16 || rounds < 1) {
            throw new IllegalArgumentException("bench replay needs 1 to 2^31 events and at least one round");
        }
        SyntheticConfig config = SyntheticConfig.of(USERS, ITEMS, events, SEED);
        Topic<String, Rating> scratch = new Topic<>("streamrec-bench-replay-" + UUID.randomUUID().toString().substring(0, 8),
                Topics.RATINGS.keySerde(), Topics.RATINGS.valueSerde(), Topics.RATINGS.partitions(),
                Topic.Cleanup.DELETE, Map.of(), "scratch topic of bench replay");
        out.printf("bench replay: %,d synthetic events (%,d users x %,d items), %d rounds, topic %s (%d partitions)%n",
                events, USERS, ITEMS, rounds, scratch.name(), scratch.partitions());
        long t = System.nanoTime();
        RatingLog log = new SyntheticRatings(config).log();
        byte[][] keys = new byte[log.size()][];
        byte[][] values = new byte[log.size()][];
        for (int i = 0; i < log.size(); i++) {
            keys[i] = Long.toString(log.userId(i)).getBytes(StandardCharsets.US_ASCII);
            values[i] = RatingCodec.toJson(log.get(i));
        }
        out.printf("  prepared the bare loop's records in %.1f s (not measured)%n", (System.nanoTime() - t) / 1e9);

        Replayer replayer = new Replayer(settings, System.err);
        try {
            int warmUp = (int) Math.min(WARM_UP_EVENTS, events);
            replayer.replay(synthetic(config.withSeed(SEED + 1), warmUp), Pacing.max(), false, scratch);
            bareLoop(settings, scratch.name(), keys, values, warmUp);
            double alone = sourceAlone(synthetic(config, events).ratings(), out);
            List<Double> replayed = new ArrayList<>();
            List<Double> bare = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                ReplaySummary s = replayer.replay(synthetic(config, events), Pacing.max(), false, scratch);
                replayed.add(s.eventsPerSecond());
                bare.add(bareLoop(settings, scratch.name(), keys, values, keys.length));
                out.printf("  round %d: replayer %,12.0f events/s   bare KafkaProducer %,12.0f events/s%n", round,
                        replayed.get(round - 1), bare.get(round - 1));
                out.flush();
            }
            Result r = new Result(events, alone, replayed, bare);
            out.printf("median of %d: replayer %,.0f events/s, bare KafkaProducer %,.0f events/s, replayer/bare = %.2f%n",
                    rounds, r.replayerMedian(), r.bareProducerMedian(), r.ratio());
            return r;
        } finally {
            try (Admin admin = KafkaClients.newAdmin(settings, "streamrec-bench-admin")) {
                admin.deleteTopics(List.of(scratch.name())).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                out.println("  could not delete scratch topic " + scratch.name() + ": " + e);
            }
        }
    }

    private static RatingSource synthetic(SyntheticConfig config, long events) {
        return new RatingSource("bench", RatingSources.syntheticName(config.withEvents(events)), List.of(),
                new SyntheticRatings(config.withEvents(events)).cursor(), BadRows.none());
    }

    /** What the replayer does per event besides sending: draw the event, its id, build its key and JSON value. */
    private static double sourceAlone(RatingCursor ratings, PrintWriter out) {
        long start = System.nanoTime();
        long n = 0;
        long bytes = 0;
        EventIds eventIds = new EventIds("bench");
        while (ratings.next()) {
            bytes += Long.toString(ratings.userId()).getBytes(StandardCharsets.US_ASCII).length;
            bytes += RatingCodec.toJson(new Rating(ratings.userId(), ratings.movieId(), ratings.rating(),
                    ratings.timestamp(), eventIds.of(ratings.userId(), ratings.movieId(), ratings.timestamp()))).length;
            n++;
        }
        double rate = n * 1e9 / (System.nanoTime() - start);
        out.printf("  the replayer's own work alone (generate + serialise, no Kafka): %,.0f events/s, %.1f bytes of"
                + " key and value per event%n", rate, bytes / (double) n);
        return rate;
    }

    /** The baseline: send pre-serialised records, count callbacks, flush; events per second from first send to flush. */
    private static double bareLoop(Settings settings, String topic, byte[][] keys, byte[][] values, int n) {
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> first = new AtomicReference<>();
        long start;
        long nanos;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "streamrec-bench-bare"))) {
            start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, keys[i], values[i]), (metadata, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        first.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            nanos = System.nanoTime() - start;
        }
        if (failed.get() > 0) {
            throw new IllegalStateException("bare producer loop: " + failed.get() + " sends failed; first: " + first.get());
        }
        return n * 1e9 / nanos;
    }
}
