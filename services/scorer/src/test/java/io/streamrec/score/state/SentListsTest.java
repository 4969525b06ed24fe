package io.streamrec.score.state;

import io.streamrec.contract.Movie;
import io.streamrec.contract.Recommendation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SentListsTest {
    private static Recommendation list(long user, long version, long... movieIds) {
        return new Recommendation(user, version, 1_000 + version, 900L, "rating", "model",
                java.util.Arrays.stream(movieIds).mapToObj(m -> new Recommendation.Item(m, null, 0.1 * m)).toList());
    }

    @Test
    void answersWithTheLastListSentTitledFromTheCatalogue() {
        SentLists sent = new SentLists();
        Catalog catalog = new Catalog();
        catalog.put(new Movie(7, "Seven", 1995, List.of("Thriller")));
        sent.sent(2, list(5, 1, 3, 7));
        sent.sent(2, list(5, 2, 7, 4));

        Recommendation latest = sent.latest(2, 5, catalog);
        assertThat(latest.modelVersion()).isEqualTo(2);
        assertThat(latest.generatedAt()).isEqualTo(1_002);
        assertThat(latest.triggeredAt()).isEqualTo(900L);
        assertThat(latest.trigger()).isEqualTo("rating");
        assertThat(latest.items()).containsExactly(new Recommendation.Item(7, catalog.title(7), (float) 0.7),
                new Recommendation.Item(4, null, (float) 0.4));
        assertThat(sent.latest(2, 6, catalog)).as("a user with no list sent").isNull();
        assertThat(sent.latest(1, 5, catalog)).as("another partition").isNull();
    }

    @Test
    void keepsAnOddNumberOfItemsNegativeScoresAndNoTriggerTimeExactly() {
        SentLists sent = new SentLists();
        List<Recommendation.Item> items = List.of(new Recommendation.Item(9_007_199_254_740_991L, null, -1.5f),
                new Recommendation.Item(2, null, 0f), new Recommendation.Item(3, null, -0.0123f));
        sent.sent(0, new Recommendation(8, 4, 1_004, null, "snapshot", "fold-in", items));

        Recommendation latest = sent.latest(0, 8, new Catalog());
        assertThat(latest).isEqualTo(new Recommendation(8, 4, 1_004, null, "snapshot", "fold-in", items));
    }

    @Test
    void forgetsThePartitionsOfATaskThatLeft() {
        SentLists sent = new SentLists();
        sent.sent(0, list(1, 1, 10));
        sent.sent(1, list(2, 1, 20));
        sent.drop(0);
        assertThat(sent.latest(0, 1, new Catalog())).isNull();
        assertThat(sent.latest(1, 2, new Catalog()).items()).extracting(Recommendation.Item::movieId).containsExactly(20L);
    }
}
