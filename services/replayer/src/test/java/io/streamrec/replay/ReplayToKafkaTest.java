package io.streamrec.replay;

import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.source.RatingSource;
import io.streamrec.config.Settings;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.dataset.movielens.MovieLens;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replayer against a real broker: what it reports is what the topics hold, record for record. */
class ReplayToKafkaTest {
    private static final Path ML_LATEST_SMALL = Path.of("../../../shared/data/movielens/ml-latest-small");
    private static final Comparator<Rating> ORDER = Comparator.comparingLong(Rating::userId)
            .thenComparingLong(Rating::movieId).thenComparingLong(Rating::timestamp).thenComparingDouble(Rating::rating);
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    /**
     * ml-latest-small where ../shared/data exists, a synthetic stream of similar size otherwise: every rating and
     * movie arrives exactly once, valid, keyed by its id, and each partition holds its ratings in event-time order.
     */
    @Test
    void everyRatingAndMovieArrivesOnceValidKeyedAndInTimeOrder() {
        RatingLog log;
        List<Movie> movies;
        if (Files.isDirectory(ML_LATEST_SMALL)) {
            var data = MovieLens.read(ML_LATEST_SMALL);
            log = data.ratings();
            movies = data.movies();
            assertThat(log.size()).isEqualTo(100_836);
            assertThat(movies).hasSize(9_742);
        } else {
            SyntheticRatings s = new SyntheticRatings(SyntheticConfig.of(610, 9_742, 100_836, 1));
            log = s.log();
            movies = s.movies();
        }
        RatingSource source = new RatingSource("test", "test-data", movies, log.cursor(), io.streamrec.dataset.movielens.BadRows.none());

        ReplaySummary summary = new Replayer(kafka.settings(), QUIET).replay(source, Pacing.max(), false);

        assertThat(summary.events()).isEqualTo(log.size());
        assertThat(summary.movies()).isEqualTo(movies.size());
        assertThat(summary.users()).isEqualTo(log.distinctUsers());
        assertThat(summary.items()).isEqualTo(log.distinctItems());
        assertThat(summary.failed()).isZero();

        List<ConsumerRecord<byte[], byte[]>> ratings = readAll(kafka.settings(), Topics.RATINGS.name(), Topics.RATINGS.partitions());
        assertThat(ratings).hasSize(log.size());
        Map<Integer, Long> lastTimePerPartition = new HashMap<>();
        // Every event carries its id, a function of the dataset and the event alone (EventIds), the same in any run.
        EventIds ids = new EventIds("test-data");
        List<Rating> sent = new ArrayList<>();
        for (int i = 0; i < log.size(); i++) {
            Rating r = log.get(i);
            sent.add(new Rating(r.userId(), r.movieId(), r.rating(), r.timestamp(),
                    ids.of(r.userId(), r.movieId(), r.timestamp())));
        }
        assertThat(sent.stream().map(Rating::eventId).distinct().count()).as("distinct event ids").isEqualTo(log.size());
        List<Rating> received = new ArrayList<>();
        for (int i = 0; i < ratings.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = ratings.get(i);
            Rating rating = RatingCodec.parse(r.key(), r.value(), r.timestamp());
            long previous = lastTimePerPartition.getOrDefault(r.partition(), Long.MIN_VALUE);
            assertThat(rating.timestamp()).as("event time within partition %d", r.partition()).isGreaterThanOrEqualTo(previous);
            lastTimePerPartition.put(r.partition(), rating.timestamp());
            received.add(rating);
        }
        sent.sort(ORDER);
        received.sort(ORDER);
        assertThat(received.equals(sent)).as("the topic holds exactly the ratings sent").isTrue();

        List<ConsumerRecord<byte[], byte[]>> catalogue = readAll(kafka.settings(), Topics.MOVIES.name(), Topics.MOVIES.partitions());
        assertThat(catalogue).hasSize(movies.size());
        List<Movie> receivedMovies = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : catalogue) {
            Movie m = Topics.MOVIES.valueSerde().deserializer().deserialize(Topics.MOVIES.name(), r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(m.movieId()));
            receivedMovies.add(m);
        }
        assertThat(receivedMovies).containsExactlyInAnyOrderElementsOf(movies);
    }

    /** The documented recipe: {@code printf 'ml-latest-small|1|1|964982703000' | sha256sum | cut -c1-32}. */
    @Test
    void anEventIdIsTheStartOfTheSha256OfDatasetAndEvent() {
        EventIds ids = new EventIds("ml-latest-small");
        assertThat(ids.of(1, 1, 964982703000L)).isEqualTo("5da46d9b2d9766725ba6d7beee8a1411");
        assertThat(ids.of(1, 1, 964982703000L)).as("the same again").isEqualTo("5da46d9b2d9766725ba6d7beee8a1411");
        assertThat(ids.of(1, 1, 964982703001L)).isNotEqualTo("5da46d9b2d9766725ba6d7beee8a1411");
        assertThat(new EventIds("ml-25m").of(1, 1, 964982703000L)).isNotEqualTo("5da46d9b2d9766725ba6d7beee8a1411");
    }

    /** A failing send stops the replay and is reported with counts; nothing is dropped without a word. */
    @Test
    void aSendTheProducerCannotCompleteFailsTheReplayWithCounts() {
        // A limit below any record's size: the real producer fails every send in its callback.
        Settings tiny = kafka.settings().with("kafka.producer.max.request.size", 50);
        SyntheticRatings s = new SyntheticRatings(SyntheticConfig.of(100, 100, 1_000, 2));
        RatingSource source = new RatingSource("tiny requests", "tiny", List.of(), s.cursor(), io.streamrec.dataset.movielens.BadRows.none());

        assertThatThrownBy(() -> new Replayer(tiny, QUIET).replay(source, Pacing.max(), false))
                .isInstanceOfSatisfying(ReplayFailedException.class, e -> {
                    assertThat(e.summary().failed()).isGreaterThanOrEqualTo(1);
                    assertThat(e.summary().events()).isZero();
                    assertThat(e.summary().failed() + e.summary().unsent()).isGreaterThanOrEqualTo(1_000);
                    assertThat(e.summary().errors()).first().asString().contains("RecordTooLargeException");
                    assertThat(e.summary().report()).contains("FAILED");
                })
                .hasMessageContaining("sends failed");
    }

    /** The demo's wait for its scorer: between the movies, all acknowledged, and the first rating. */
    @Test
    void whatRunsBeforeTheRatingsFindsEveryMovieSentAndNoRatingYet() {
        SyntheticRatings s = new SyntheticRatings(SyntheticConfig.of(50, 80, 500, 3));
        RatingSource source = new RatingSource("hook", "hook", s.movies(), s.cursor(), io.streamrec.dataset.movielens.BadRows.none());
        long moviesBefore = records(kafka.settings(), Topics.MOVIES.name(), Topics.MOVIES.partitions());
        long ratingsBefore = records(kafka.settings(), Topics.RATINGS.name(), Topics.RATINGS.partitions());
        List<long[]> seen = new ArrayList<>();

        ReplaySummary summary = new Replayer(kafka.settings(), QUIET).replay(source, Pacing.max(), false,
                () -> seen.add(new long[]{records(kafka.settings(), Topics.MOVIES.name(), Topics.MOVIES.partitions()),
                        records(kafka.settings(), Topics.RATINGS.name(), Topics.RATINGS.partitions())}));

        assertThat(seen).as("run once").hasSize(1);
        assertThat(seen.get(0)[0] - moviesBefore).as("movies in Kafka").isEqualTo(s.movies().size());
        assertThat(seen.get(0)[1] - ratingsBefore).as("ratings in Kafka").isZero();
        assertThat(summary.events()).isEqualTo(500);
        assertThat(records(kafka.settings(), Topics.RATINGS.name(), Topics.RATINGS.partitions()) - ratingsBefore)
                .isEqualTo(500);
    }

    /** Records a topic holds (the sum of its partitions' end offsets; nothing here is compacted away in a test). */
    private static long records(Settings settings, String topic, int partitions) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(settings, "replay-test", null))) {
            return consumer.endOffsets(partitionsOf(topic, partitions)).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(Settings settings, String topic, int partitions) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(settings, "replay-test", null))) {
            List<TopicPartition> tps = partitionsOf(topic, partitions);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long expected = end.values().stream().mapToLong(Long::longValue).sum();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (all.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(all::add);
            }
        }
        return all;
    }

    private static List<TopicPartition> partitionsOf(String topic, int partitions) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        return tps;
    }
}
