package io.streamrec.dataset.synthetic;

import io.streamrec.contract.Movie;
import io.streamrec.contract.RatingCodec;
import io.streamrec.dataset.RatingCursor;
import io.streamrec.dataset.RatingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SyntheticRatingsTest {

    private static final SyntheticConfig MEDIUM = SyntheticConfig.of(5_000, 2_000, 200_000, 7);
    /** Many users with few events each (at most 10x the least active): no one exhausts a topic's head. */
    private static final SyntheticConfig LIGHT_USERS = SyntheticConfig.of(100_000, 4_000, 400_000, 3).withActivity(1.5, 10);

    @Test
    void isReproducibleFromItsSeedAndTheCursorMatchesTheLog() {
        RatingLog a = new SyntheticRatings(MEDIUM).log();
        RatingLog b = new SyntheticRatings(MEDIUM).log();
        RatingLog other = new SyntheticRatings(MEDIUM.withSeed(8)).log();

        assertThat(a.size()).isEqualTo(200_000);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)).isEqualTo(a.get(i));
        }
        RatingCursor c = new SyntheticRatings(MEDIUM).cursor();
        for (int i = 0; i < a.size(); i++) {
            assertThat(c.next()).isTrue();
            assertThat(c.userId()).isEqualTo(a.userId(i));
            assertThat(c.movieId()).isEqualTo(a.movieId(i));
        }
        assertThat(c.next()).isFalse();
        int same = 0;
        for (int i = 0; i < 1000; i++) {
            same += a.get(i).equals(other.get(i)) ? 1 : 0;
        }
        assertThat(same).isLessThan(10);
    }

    @Test
    void everyEventKeepsTheRatingsContractAndNoPairRepeats() {
        RatingLog log = new SyntheticRatings(MEDIUM).log();

        long[] pairs = new long[log.size()];
        for (int i = 0; i < log.size(); i++) {
            assertThat(log.userId(i)).isBetween(1L, 5_000L);
            assertThat(log.movieId(i)).isBetween(1L, 2_000L);
            if (i > 0) {
                assertThat(log.timestamp(i)).isGreaterThanOrEqualTo(log.timestamp(i - 1));
            }
            pairs[i] = log.userId(i) << 32 | log.movieId(i);
        }
        for (int i = 0; i < log.size(); i += 97) {
            assertThat(RatingCodec.parse(RatingCodec.toJson(log.get(i)))).isEqualTo(log.get(i));
        }
        assertThat(duplicates(pairs)).isZero();
        assertThat(log.timestamp(0)).isGreaterThanOrEqualTo(MEDIUM.start().toEpochMilli());
        assertThat(log.timestamp(log.size() - 1) - log.timestamp(0))
                .isCloseTo(MEDIUM.span().toMillis(), within(MEDIUM.span().toMillis() / 50));
    }

    @Test
    void noPairRepeatsAtLoadScaleWhereTheFilterOfSeenPairsDoesTheWork() {
        SyntheticConfig load = SyntheticConfig.of(140_000, 27_000, 3_000_000, 11);
        RatingCursor c = new SyntheticRatings(load).cursor();
        long[] pairs = new long[3_000_000];
        int n = 0;
        while (c.next()) {
            pairs[n++] = c.userId() << 32 | c.movieId();
        }
        assertThat(n).isEqualTo(3_000_000);
        assertThat(duplicates(pairs)).isZero();
    }

    /**
     * Where users are light (few events each), realised item counts follow the planted law. Heavy users flatten
     * the head, since no one rates an item twice; that regime is not where the law can be read off.
     */
    @ParameterizedTest
    @ValueSource(doubles = {1.0, 1.5})
    void itemPopularityFollowsThePlantedPowerLaw(double exponent) {
        SyntheticConfig config = LIGHT_USERS.withPopularity(exponent, 40);
        SyntheticRatings s = new SyntheticRatings(config);
        long[] byRank = new long[config.items() + 1];
        RatingCursor c = s.cursor();
        while (c.next()) {
            byRank[s.popularityRank(c.movieId())]++;
        }
        // Least-squares slope of log(count) against log(rank + offset): the exponent, with a minus sign.
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int rank = 1; rank <= 1000 && byRank[rank] >= 20; rank++) {
            double x = Math.log(rank + 40);
            double y = Math.log(byRank[rank]);
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            n++;
        }
        assertThat(n).isGreaterThan(200);
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        assertThat(slope).isCloseTo(-exponent, within(0.1));
    }

    @Test
    void drawsThePlantedShareFromThePrimaryTopic() {
        SyntheticRatings s = new SyntheticRatings(LIGHT_USERS);
        long primary = 0;
        long secondary = 0;
        RatingCursor c = s.cursor();
        while (c.next()) {
            int topic = s.homeTopic(c.movieId());
            primary += topic == s.primaryTopic(c.userId()) ? 1 : 0;
            secondary += topic == s.secondaryTopic(c.userId()) ? 1 : 0;
        }
        // The popularity-only tenth also lands in a user's topics now and then (1/K each, on average).
        assertThat(primary / (double) LIGHT_USERS.events()).isCloseTo(0.7 + 0.1 / 20, within(0.02));
        assertThat(secondary / (double) LIGHT_USERS.events()).isCloseTo(0.2 + 0.1 / 20, within(0.02));
    }

    @Test
    void eachUserDrawsMostlyFromThePlantedPrimaryTopicAndRatesItHigher() {
        SyntheticRatings s = new SyntheticRatings(MEDIUM);
        int k = MEDIUM.topics();
        int[][] perTopic = new int[MEDIUM.users() + 1][k];
        double[] stars = new double[3];
        long[] counts = new long[3];
        RatingCursor c = s.cursor();
        while (c.next()) {
            int topic = s.homeTopic(c.movieId());
            perTopic[(int) c.userId()][topic]++;
            int kind = topic == s.primaryTopic(c.userId()) ? 0 : topic == s.secondaryTopic(c.userId()) ? 1 : 2;
            stars[kind] += c.rating();
            counts[kind]++;
        }
        int users = 0;
        int recovered = 0;
        for (int u = 1; u <= MEDIUM.users(); u++) {
            int total = Arrays.stream(perTopic[u]).sum();
            if (total >= 10) {
                users++;
                int best = 0;
                for (int t = 1; t < k; t++) {
                    best = perTopic[u][t] > perTopic[u][best] ? t : best;
                }
                recovered += best == s.primaryTopic(u) ? 1 : 0;
            }
        }
        assertThat(users).isGreaterThan(1000);
        assertThat((double) recovered / users).as("users whose most-rated topic is their primary").isGreaterThan(0.95);
        assertThat(stars[0] / counts[0] - stars[2] / counts[2]).as("primary minus off-topic mean stars")
                .isGreaterThan(1.0);
    }

    @Test
    void activityIsHeavyTailed() {
        RatingLog log = new SyntheticRatings(MEDIUM).log();
        int[] perUser = new int[MEDIUM.users()];
        for (int i = 0; i < log.size(); i++) {
            perUser[(int) log.userId(i) - 1]++;
        }
        Arrays.sort(perUser);
        int median = perUser[perUser.length / 2];
        int max = perUser[perUser.length - 1];
        long top10 = Arrays.stream(perUser, perUser.length * 9 / 10, perUser.length).sum();
        assertThat(max).isGreaterThan(10 * median);
        assertThat(top10 / (double) log.size()).as("share of events from the 10%% most active users").isGreaterThan(0.3);
    }

    @Test
    void moviesCarryTheirHomeTopicAsGenreAndKeepTheContract() {
        SyntheticRatings s = new SyntheticRatings(SyntheticConfig.of(10, 300, 100, 1));
        List<Movie> movies = s.movies();
        assertThat(movies).hasSize(300);
        assertThat(movies).allSatisfy(m -> {
            assertThat(m.genres()).containsExactly(SyntheticRatings.topicName(s.homeTopic(m.movieId())));
            assertThat(m.year()).isBetween(1950, 2020);
            assertThat(m.title()).isEqualTo("Synthetic movie " + m.movieId());
        });
    }

    @Test
    void refusesAMatrixTooDenseToFillWithoutRepeats() {
        assertThatThrownBy(() -> SyntheticConfig.of(10, 10, 51, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most half of users x items");
    }

    @Test
    void fillsAHalfFullMatrixThroughTheFallbacks() {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(20, 40, 400, 5)).log();
        long[] pairs = new long[log.size()];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = log.userId(i) << 32 | log.movieId(i);
        }
        assertThat(pairs).hasSize(400);
        assertThat(duplicates(pairs)).isZero();
    }

    private static int duplicates(long[] pairs) {
        long[] sorted = pairs.clone();
        Arrays.sort(sorted);
        int d = 0;
        for (int i = 1; i < sorted.length; i++) {
            d += sorted[i] == sorted[i - 1] ? 1 : 0;
        }
        return d;
    }
}
