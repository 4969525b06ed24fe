package io.streamrec.score.stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.state.Trigger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue's order: ratings before snapshots, and nothing a snapshot queued while ratings come late. */
class RescoreQueueTest {
    private static final long NOW = 1_000_000;
    private static final long BACKLOG_MS = 250;
    private static final long GRACE_MS = 2_000;

    @Test
    void aRatingGoesAheadOfEveryUserOnlyASnapshotQueued() {
        RescoreQueue queue = queue();
        for (int u = 0; u < 5_000; u++) {
            queue.add("s" + u, Trigger.SNAPSHOT, NOW, 1, 0, NOW);
        }
        queue.addRating("rated", NOW, true, NOW);
        // A snapshot-queued user who then rates is a rating's too.
        queue.addRating("s4999", NOW, true, NOW);

        List<String> first = users(queue.takeDue(3, gate(false), false, user -> false, user -> 0));

        assertThat(first).containsExactly("rated", "s4999", "s0");
    }

    @Test
    void whileLateRatingsComeNoSnapshotQueuedUserIsDueEvenPastItsGrace() {
        RescoreQueue queue = queue();
        queue.add("snapshot", Trigger.SNAPSHOT, NOW - 10 * GRACE_MS, 1, 0, NOW - 10 * GRACE_MS);
        queue.addRating("late", NOW - BACKLOG_MS, true, NOW - BACKLOG_MS);

        assertThat(users(queue.takeDue(10, gate(true), false, user -> false, user -> 0))).containsExactly("late");
        assertThat(users(queue.takeDue(10, gate(false), false, user -> false, user -> 0))).containsExactly("snapshot");
    }

    @Test
    void ratingsOnlyLeavesTheSnapshotLineAlone() {
        RescoreQueue queue = queue();
        queue.add("snapshot", Trigger.SNAPSHOT, NOW, 1, 0, NOW);
        queue.addRating("rated", NOW, true, NOW);

        assertThat(users(queue.takeDue(10, gate(false), true, user -> false, user -> 0))).containsExactly("rated");
        assertThat(users(queue.takeDue(10, gate(false), true, user -> false, user -> 0))).isEmpty();
        assertThat(users(queue.takeDue(10, gate(false), false, user -> false, user -> 0))).containsExactly("snapshot");
    }

    @Test
    void whileCatchingUpTheWalkStopsAtTheFirstRatingStillWaitingOutTheBacklog() {
        RescoreQueue queue = queue();
        queue.add("snapshot", Trigger.SNAPSHOT, NOW - 1_000, 1, 0, NOW - 1_000);
        queue.addRating("waited", NOW - 400, true, NOW - 400);
        queue.addRating("busy", NOW - 300, true, NOW - 300);
        queue.addRating("waited too", NOW - 260, true, NOW - 260);
        queue.addRating("recent", NOW - 100, true, NOW - 100);
        // Moved from the snapshots' line, behind "recent" though queued before it: it goes when "recent" does.
        queue.addRating("snapshot", NOW - 50, true, NOW - 50);

        assertThat(users(queue.takeDue(10, gate(true), false, "busy"::equals, user -> 0)))
                .containsExactly("waited", "waited too");
        RescoreQueue.Gate later = new RescoreQueue.Gate(NOW + BACKLOG_MS, true, BACKLOG_MS, GRACE_MS, 1);
        assertThat(users(queue.takeDue(10, later, false, user -> false, user -> 0)))
                .containsExactly("busy", "recent", "snapshot");
    }

    @Test
    void aQueueLoadedFromItsStoreIsInQueueOrderWithNoUserQueuedInTheFuture() {
        KeyValueStore<String, byte[]> store = store();
        RescoreQueue before = new RescoreQueue(store, metrics(), NOW);
        // Queued by an instance whose clock ran ahead ("ahead"), and in an order that is not the keys' order.
        before.addRating("c", NOW - 400, true, NOW - 400);
        before.addRating("a", NOW - 300, true, NOW - 300);
        before.addRating("ahead", NOW + 60_000, true, NOW + 60_000);
        before.addRating("b", NOW - 100, true, NOW - 100);

        RescoreQueue loaded = new RescoreQueue(store, metrics(), NOW);

        assertThat(users(loaded.takeDue(10, gate(true), false, user -> false, user -> 0))).containsExactly("c", "a");
        RescoreQueue.Gate later = new RescoreQueue.Gate(NOW + BACKLOG_MS, true, BACKLOG_MS, GRACE_MS, 1);
        assertThat(users(loaded.takeDue(10, later, false, user -> false, user -> 0))).containsExactly("b", "ahead");
    }

    private static RescoreQueue queue() {
        return new RescoreQueue(store(), metrics(), NOW);
    }

    private static KeyValueStore<String, byte[]> store() {
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("queue"),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    private static ScorerMetrics metrics() {
        return new ScorerMetrics(new SimpleMeterRegistry());
    }

    private static RescoreQueue.Gate gate(boolean catchingUp) {
        return new RescoreQueue.Gate(NOW, catchingUp, BACKLOG_MS, GRACE_MS, 1);
    }

    private static List<String> users(List<Map.Entry<String, RescoreQueue.Waiting>> due) {
        return due.stream().map(Map.Entry::getKey).toList();
    }
}
