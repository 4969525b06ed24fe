package io.streamrec.replay;

import io.streamrec.console.ProgressBar;
import io.streamrec.dataset.DistinctIds;
import io.streamrec.dataset.RatingCursor;
import io.streamrec.dataset.source.RatingSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.streamrec.config.Settings;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.kafka.TopicAdmin;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Serializer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces a {@link RatingSource} to Kafka: the movies to {@code movies} (key movieId), then the ratings to
 * {@code ratings} (key userId, value the contract's JSON with a deterministic {@code eventId}, {@link EventIds}) in
 * time order, paced, through one idempotent producer.
 *
 * <p>Nothing is lost silently. Topics are created and awaited (every partition led) before the first send: on
 * Kafka 4.3.1, writing right after {@code createTopics()} can drop a first batch (KAFKA-15591). Every send
 * callback is counted; at the first failure the replay stops sending, flushes, and throws
 * {@link ReplayFailedException} with the counts. At the end, acknowledged sends must equal sends.
 */
public final class Replayer {
    private static final int ERRORS_KEPT = 5;
    private final Settings settings;
    private final PrintStream console;
    private final Counter sent;
    private final Counter acknowledged;
    private final Counter failedSends;

    /**
     * @param settings the producer's settings (kafka.*), topics.create and topics.replication-factor
     * @param console  where the progress bar goes (stderr in the command)
     */
    public Replayer(Settings settings, PrintStream console) {
        this(settings, console, new CompositeMeterRegistry());
    }

    /** A replayer that also counts its sends in a registry ({@code streamrec.replayer.events.*}). */
    public Replayer(Settings settings, PrintStream console, MeterRegistry registry) {
        this.settings = settings;
        this.console = console;
        this.sent = Counter.builder("streamrec.replayer.events.sent").description("records handed to the producer")
                .register(registry);
        this.acknowledged = Counter.builder("streamrec.replayer.events.acknowledged")
                .description("records the broker acknowledged").register(registry);
        this.failedSends = Counter.builder("streamrec.replayer.events.failed")
                .description("records the broker did not take (the replay stops)").register(registry);
    }

    /**
     * Replays to the registry's topics, creating every registry topic that is missing (unless topics.create is
     * false).
     *
     * @throws ReplayFailedException when any send failed
     */
    public ReplaySummary replay(RatingSource source, Pacing pacing, boolean progress) {
        return replay(source, pacing, progress, () -> { });
    }

    /**
     * {@link #replay(RatingSource, Pacing, boolean)}, running {@code beforeRatings} once the movies are sent (and
     * none failed) and before the first rating, whose pace counts from its end. The demo waits there for its scorer
     * to take ratings. What the hook throws comes out of the replay as it is.
     */
    public ReplaySummary replay(RatingSource source, Pacing pacing, boolean progress, Runnable beforeRatings) {
        return replay(source, pacing, progress, Topics.RATINGS, Topics.ALL, beforeRatings);
    }

    /**
     * Replays the ratings to another topic of the ratings contract (a benchmark's scratch topic, say); movies, if
     * the source has any, still go to {@code movies}.
     *
     * @throws ReplayFailedException when any send failed
     */
    public ReplaySummary replay(RatingSource source, Pacing pacing, boolean progress, Topic<String, Rating> ratingsTopic) {
        List<Topic<?, ?>> used = new ArrayList<>(List.of(ratingsTopic));
        if (!source.movies().isEmpty()) {
            used.add(Topics.MOVIES);
        }
        return replay(source, pacing, progress, ratingsTopic, used, () -> { });
    }

    private ReplaySummary replay(RatingSource source, Pacing pacing, boolean progress, Topic<String, Rating> ratingsTopic,
                                 Collection<Topic<?, ?>> topics, Runnable beforeRatings) {
        prepare(topics);
        Acks acks = new Acks();
        Serializer<Movie> movieJson = Topics.MOVIES.valueSerde().serializer();
        DistinctIds users = new DistinctIds();
        DistinctIds items = new DistinctIds();
        EventIds eventIds = new EventIds(source.dataset());
        long taken = 0;
        long movieAcks;
        long start;
        boolean stopped = false;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pacing.equals(Pacing.max())
                ? KafkaClients.producer(settings, "streamrec-replayer") : KafkaClients.liveProducer(settings, "streamrec-replayer"))) {
            for (Movie m : source.movies()) {
                if (!acks.send(producer, Topics.MOVIES.name(), ascii(m.key()), movieJson.serialize(Topics.MOVIES.name(), m))) {
                    stopped = true;
                    break;
                }
            }
            producer.flush();
            movieAcks = acks.acked.get();
            if (!stopped && acks.failed.get() == 0) {
                beforeRatings.run();
            }
            start = System.nanoTime();
            RatingCursor ratings = source.ratings();
            Pacing.Pacer pacer = pacing.start();
            try (ProgressBar bar = ProgressBar.start("ratings", "events", ratings.size(), console, progress)) {
                while (!stopped && acks.failed.get() == 0 && ratings.next()) {
                    pacer.await(taken, ratings.timestamp());
                    taken++;
                    long user = ratings.userId();
                    Rating r = new Rating(user, ratings.movieId(), ratings.rating(), ratings.timestamp(),
                            eventIds.of(user, ratings.movieId(), ratings.timestamp()));
                    if (!acks.send(producer, ratingsTopic.name(), ascii(Long.toString(user)), RatingCodec.toJson(r))) {
                        break;
                    }
                    users.add(user);
                    items.add(r.movieId());
                    bar.set(taken);
                }
                producer.flush();
            }
        }
        long nanos = System.nanoTime() - start;
        long unaccounted = acks.attempted - acks.acked.get() - acks.failed.get();
        if (unaccounted != 0) {
            acks.error("flush returned with " + unaccounted + " sends neither acknowledged nor failed");
        }
        ReplaySummary summary = new ReplaySummary(source.name(), movieAcks, acks.acked.get() - movieAcks, users.size(),
                items.size(), source.badRows(), acks.failed.get() + Math.abs(unaccounted), unsent(source.ratings(), taken),
                acks.errors(), nanos);
        if (!summary.succeeded()) {
            throw new ReplayFailedException(summary);
        }
        return summary;
    }

    /** Ratings the cursor still held when the replay stopped, counted by draining it when its size is unknown. */
    private static long unsent(RatingCursor ratings, long taken) {
        if (ratings.size() >= 0) {
            return ratings.size() - taken;
        }
        long rest = 0;
        while (ratings.next()) {
            rest++;
        }
        return rest;
    }

    private void prepare(Collection<Topic<?, ?>> topics) {
        TopicAdmin.prepare(settings, "streamrec-replayer-admin", topics);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Counts what the broker acknowledged and what failed; the callbacks run on the producer's I/O thread. */
    private final class Acks implements Callback {
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        /** Records handed to send(), only ever touched by the sending thread. */
        long attempted;
        private final List<String> errors = new ArrayList<>();

        /** Sends one record; false when the producer refused it synchronously (counted as a failure). */
        boolean send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] key, byte[] value) {
            attempted++;
            sent.increment();
            try {
                producer.send(new ProducerRecord<>(topic, key, value), this);
                return true;
            } catch (KafkaException e) {
                failed.incrementAndGet();
                failedSends.increment();
                error(topic + ": " + e);
                return false;
            }
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception == null) {
                acked.incrementAndGet();
                acknowledged.increment();
            } else {
                failed.incrementAndGet();
                failedSends.increment();
                error(exception.toString());
            }
        }

        synchronized void error(String message) {
            if (errors.size() < ERRORS_KEPT) {
                errors.add(message);
            }
        }

        synchronized List<String> errors() {
            return List.copyOf(errors);
        }
    }
}
