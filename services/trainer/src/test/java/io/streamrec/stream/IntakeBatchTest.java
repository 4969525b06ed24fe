package io.streamrec.stream;

import io.streamrec.contract.Rating;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The next offset per partition that a hand-over commits, noted once per run of a partition's records; and the
 * repeats a batch drops at its cut.
 */
class IntakeBatchTest {

    @Test
    void eachPartitionEndsAtTheOffsetAfterItsLastRecordTaken() {
        IntakeBatch batch = new IntakeBatch(16);
        batch.taken(2, 10);
        batch.taken(2, 11);
        batch.taken(0, 5);
        batch.taken(2, 12); // the same partition again, later in the batch
        batch.sealOffsets();
        assertThat(batch.nextOffsets).isEqualTo(Map.of(2, 13L, 0, 6L));
        assertThat(batch.records).isEqualTo(4);

        batch.clear();
        batch.sealOffsets();
        assertThat(batch.nextOffsets).as("a cleared batch has taken nothing").isEmpty();
        batch.taken(1, 7);
        batch.sealOffsets();
        assertThat(batch.nextOffsets).isEqualTo(Map.of(1, 8L));
        assertThat(batch.records).isEqualTo(1);
    }

    @Test
    void repeatsAreDroppedInOrderWithinTheBatchAndAcrossBatchesEachRatingCheckedOnce() {
        RecentEventIds seen = new RecentEventIds(1_000);
        IntakeBatch batch = new IntakeBatch(4); // grows past its capacity
        batch.add(rating(1, "a"), 500);
        batch.add(rating(2, null), 300);
        batch.add(rating(3, "b"), 400);
        batch.add(rating(4, "a"), 100); // a repeat within the batch: the first one stays
        assertThat(batch.dropRepeats(seen)).isEqualTo(1);
        assertThat(users(batch)).containsExactly(1L, 2L, 3L);
        batch.add(rating(5, null), 600); // no event id: always trained
        batch.add(rating(6, "c"), 700);
        batch.add(rating(7, "b"), 50);
        assertThat(batch.dropRepeats(seen)).as("only the ratings added since").isEqualTo(1);
        assertThat(users(batch)).containsExactly(1L, 2L, 3L, 5L, 6L);
        assertThat(batch.dropRepeats(seen)).as("nothing new to check").isZero();
        assertThat(batch.oldestProduceTime).as("repeats are not trained, so not ingested either").isEqualTo(300);

        batch.clear();
        batch.add(rating(8, "c"), 800); // seen in the batch before
        batch.add(rating(9, null), 800);
        batch.add(rating(10, "d"), 800);
        batch.add(rating(11, "d"), 800);
        assertThat(batch.dropRepeats(seen)).isEqualTo(2);
        assertThat(users(batch)).containsExactly(9L, 10L);
        assertThat(seen.firstTime("d")).as("ids of kept ratings are remembered").isFalse();
    }

    private static Rating rating(long user, String eventId) {
        return new Rating(user, 100 + user, 4f, 1_700_000_000_000L + user, eventId);
    }

    private static List<Long> users(IntakeBatch batch) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < batch.ratings.size(); i++) {
            assertThat(batch.ratings.movieId(i)).as("columns moved together").isEqualTo(100 + batch.ratings.userId(i));
            out.add(batch.ratings.userId(i));
        }
        return out;
    }
}
