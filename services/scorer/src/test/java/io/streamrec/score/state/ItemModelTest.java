package io.streamrec.score.state;

import io.streamrec.score.PlantedWorld;
import io.streamrec.score.model.ModelSpec;
import io.streamrec.contract.SnapshotManifest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ItemModelTest {
    private static final int DIM = 4;

    private static SnapshotManifest mf(long version, long itemRows) {
        return PlantedWorld.manifest("mf", version, DIM, itemRows, 0, Map.of(), false);
    }

    private static void row(ItemModel m, long movie, long version, float value) {
        m.applyItemRow(movie, PlantedWorld.row(version, 1, new float[]{value, 0, 0, 0, 0}));
    }

    @Test
    void aVersionIsCompleteOnceItsManifestAndAllItsItemRowsAreInWhateverTheOrder() {
        ItemModel m = new ItemModel(0);
        row(m, 1, 1, 1);
        m.applyManifest(mf(1, 2), ModelSpec.of(mf(1, 2)));
        assertThat(m.completeVersion()).isZero();
        row(m, 2, 1, 1);
        assertThat(m.completeVersion()).isEqualTo(1);
        m.applyManifest(mf(2, 1), ModelSpec.of(mf(2, 1)));
        assertThat(m.version()).isEqualTo(2);
        assertThat(m.completeVersion()).isEqualTo(1);
        row(m, 1, 2, 2);
        assertThat(m.completeVersion()).isEqualTo(2);
        assertThat(m.table().liveCount()).isEqualTo(2);
    }

    @Test
    void aLaterCompleteVersionCompletesEarlierOnesWhoseRowsWereCompactedAway() {
        ItemModel m = new ItemModel(0);
        m.applyManifest(mf(1, 3), ModelSpec.of(mf(1, 3)));
        row(m, 1, 1, 1);                  // two of version 1's rows were replaced by version 2's
        m.applyManifest(mf(2, 2), ModelSpec.of(mf(2, 2)));
        row(m, 2, 2, 1);
        row(m, 3, 2, 1);
        assertThat(m.completeVersion()).isEqualTo(2);
    }

    @Test
    void repeatedOrOlderManifestsAreIgnoredAndRowsOfAnotherShapeAreSkipped() {
        ItemModel m = new ItemModel(0);
        m.applyManifest(mf(3, 0), ModelSpec.of(mf(3, 0)));
        m.applyManifest(mf(2, 0), ModelSpec.of(mf(2, 0)));
        assertThat(m.version()).isEqualTo(3);
        m.applyItemRow(9, PlantedWorld.row(3, 1, new float[7]));
        assertThat(m.table().indexOf(9)).isEqualTo(-1);
    }

    @Test
    void aFullRescoreIsAskedForWhenTheItemsMoveMoreThanTheThreshold() {
        ItemModel m = new ItemModel(0.25);
        m.applyManifest(mf(1, 10), ModelSpec.of(mf(1, 10)));
        for (long i = 1; i <= 10; i++) {
            row(m, i, 1, 1);
        }
        long first = m.rescoreAllGeneration();
        assertThat(first).as("the first model moves everything").isEqualTo(1);
        m.applyManifest(mf(2, 1), ModelSpec.of(mf(2, 1)));
        row(m, 1, 2, 1.5f);               // |Δ| = 0.5 against |V| = sqrt(10.75): 15 %
        assertThat(m.rescoreAllGeneration()).isEqualTo(first);
        m.applyManifest(mf(3, 2), ModelSpec.of(mf(3, 2)));
        row(m, 2, 3, 3);
        row(m, 3, 3, 3);                  // 2.8 against 5.6: 50 %
        assertThat(m.rescoreAllGeneration()).isEqualTo(first + 1);
    }
}
