package io.streamrec.snapshot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a snapshot falls due: on events or time, once there is something to publish. */
class SinceLastSnapshotTest {
    @Test
    void rowsWaitingToBeServedMakeASnapshotDueOnTimeWithNothingNewTrained() throws InterruptedException {
        SinceLastSnapshot since = new SinceLastSnapshot(1_000, 200, Map.of(0, 5L));
        Thread.sleep(250);
        assertFalse(since.due(), "nothing consumed, nothing replayed: nothing to publish");
        assertTrue(since.due(true), "rows the serving budget left over are published on time, traffic or not");
        since.take();
        assertFalse(since.due(true), "not before its time");
        Thread.sleep(250);
        since.consumed(3, Map.of(0, 8L), List.of());
        assertTrue(since.due(), "consumed records are published on time");
    }
}
