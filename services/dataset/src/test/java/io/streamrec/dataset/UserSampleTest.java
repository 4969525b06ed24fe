package io.streamrec.dataset;

import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class UserSampleTest {
    private final SyntheticRatings generator = new SyntheticRatings(SyntheticConfig.of(4_000, 1_000, 60_000, 5));
    private final RatingLog all = generator.log();

    @Test
    void keepsWholeUsersReproduciblyAndAboutTheAskedFraction() {
        RatingLog a = all.sampleUsers(0.3, 42);
        RatingLog b = all.sampleUsers(0.3, 42);
        RatingLog other = all.sampleUsers(0.3, 43);

        assertThat(users(a)).isEqualTo(users(b));
        assertThat(a.size()).isEqualTo(b.size());
        assertThat(users(a)).isNotEqualTo(users(other));
        assertThat(users(a).size() / (double) all.distinctUsers()).isCloseTo(0.3, within(0.03));
        Set<Long> sampled = users(a);
        int kept = 0;
        for (int i = 0; i < all.size(); i++) {
            kept += sampled.contains(all.userId(i)) ? 1 : 0;
        }
        assertThat(a.size()).as("every rating of a kept user is kept").isEqualTo(kept);
    }

    @Test
    void theStreamingSampleSelectsTheSameEventsAsTheInMemoryOne() {
        RatingLog inMemory = all.sampleUsers(0.25, 9);
        RatingCursor streamed = RatingCursor.sampleUsers(generator.cursor(), 0.25, 9);

        assertThat(streamed.size()).isEqualTo(-1);
        for (int i = 0; i < inMemory.size(); i++) {
            assertThat(streamed.next()).isTrue();
            assertThat(new io.streamrec.contract.Rating(streamed.userId(), streamed.movieId(), streamed.rating(),
                    streamed.timestamp())).isEqualTo(inMemory.get(i));
        }
        assertThat(streamed.next()).isFalse();
    }

    private static Set<Long> users(RatingLog log) {
        Set<Long> users = new HashSet<>();
        for (int i = 0; i < log.size(); i++) {
            users.add(log.userId(i));
        }
        return users;
    }
}
