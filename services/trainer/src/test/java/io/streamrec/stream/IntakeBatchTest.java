package io.streamrec.stream;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The next offset per partition that a hand-over commits, noted once per run of a partition's records. */
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
}
