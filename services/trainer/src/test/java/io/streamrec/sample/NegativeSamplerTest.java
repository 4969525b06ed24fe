package io.streamrec.sample;

import io.streamrec.train.RatedItems;
import io.streamrec.train.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class NegativeSamplerTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void neverDrawsAnItemTheUserRated(boolean byPopularity) {
        Vocabulary items = new Vocabulary();
        RatedItems rated = new RatedItems();
        Random r = new Random(3);
        for (int i = 0; i < 500; i++) {
            int row = items.rowOf(1000 + i);
            for (int c = 0; c < 1 + 500 / (i + 1); c++) {
                items.increment(row);
            }
        }
        // user 0 rated the 400 most popular items, user 1 all but three, user 2 nothing
        for (int i = 0; i < 400; i++) {
            rated.add(0, i);
        }
        for (int i = 0; i < 500; i++) {
            if (i != 17 && i != 250 && i != 499) {
                rated.add(1, i);
            }
        }
        NegativeSampler sampler = new NegativeSampler(byPopularity, 0.75, 11);
        for (int k = 0; k < 20_000; k++) {
            int user = r.nextInt(3);
            int item = sampler.draw(user, rated, items, items.size());
            assertThat(item).isBetween(0, 499);
            assertThat(rated.contains(user, item)).as("user %d drew rated item %d", user, item).isFalse();
        }
        for (int i = 0; i < 500; i++) {
            rated.add(1, i);
        }
        assertThat(sampler.draw(1, rated, items, items.size())).as("a user who rated everything gets no negative").isEqualTo(-1);
    }

    @Test
    void popularitySamplerFavoursPopularItemsByAlpha() {
        Vocabulary items = new Vocabulary();
        int popular = items.rowOf(1);
        int rare = items.rowOf(2);
        for (int c = 0; c < 10_000; c++) {
            items.increment(popular);
        }
        items.increment(rare);
        NegativeSampler sampler = new NegativeSampler(true, 0.5, 5);
        int hits = 0;
        int draws = 100_000;
        for (int k = 0; k < draws; k++) {
            hits += sampler.draw(0, new RatedItems(), items, items.size()) == popular ? 1 : 0;
        }
        // weights 10000^0.5 = 100 vs 1: the popular item gets 100/101 of the draws
        assertThat(hits / (double) draws).isBetween(0.985, 0.995);
        NegativeSampler uniform = new NegativeSampler(false, 0.5, 5);
        int uniformHits = 0;
        for (int k = 0; k < draws; k++) {
            uniformHits += uniform.draw(0, new RatedItems(), items, items.size()) == popular ? 1 : 0;
        }
        assertThat(uniformHits / (double) draws).isBetween(0.48, 0.52);
    }
}
