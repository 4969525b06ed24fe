package io.streamrec.score.state;

import io.streamrec.score.PlantedWorld;
import io.streamrec.score.model.CandidateIndex;
import io.streamrec.score.model.ModelSpec;
import io.streamrec.score.model.Retriever;
import io.streamrec.contract.SnapshotManifest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ItemModelTest {
    private static final int DIM = 4;
    private static final long AT_REST_MS = 1000;

    private static SnapshotManifest mf(long version, long itemRows) {
        return PlantedWorld.manifest("mf", version, DIM, itemRows, 0, Map.of(), false);
    }

    /** Ten items at 1 in version 1, full rescores asked for at 25 % movement or one second at rest. */
    private static ItemModel tenItemsOfVersionOne() {
        ItemModel m = new ItemModel(0.25, AT_REST_MS, ScorerConfig.Retrieval.EXACT, Runnable::run);
        m.applyManifest(mf(1, 10), ModelSpec.of(mf(1, 10)));
        for (long i = 1; i <= 10; i++) {
            row(m, i, 1, 1);
        }
        return m;
    }

    private static void row(ItemModel m, long movie, long version, float value) {
        m.applyItemRow(movie, PlantedWorld.row(version, 1, new float[]{value, 0, 0, 0, 0}));
    }

    /**
     * The partitions keep a copy of the rows: an item row that arrives after the build must reach it, or a moved item
     * would be retrieved by where it was. Every partition is probed here, so only the copy's values decide.
     */
    @Test
    void theCandidateIndexFollowsItemRowsThatArriveAfterItWasBuilt() {
        ScorerConfig.Retrieval retrieval = new ScorerConfig.Retrieval(true, ScorerConfig.IndexKind.PARTITIONS, 5, 0, 16,
                4, 16, 100, 100, 1, 0, 0);
        ItemModel m = new ItemModel(0, 0, retrieval, Runnable::run);
        int items = 64;
        m.applyManifest(mf(1, items), ModelSpec.of(mf(1, items)));
        SplittableRandom random = new SplittableRandom(1);
        for (long movie = 1; movie <= items; movie++) {
            float[] row = new float[DIM + 1];
            for (int k = 0; k < row.length; k++) {
                row[k] = (float) random.nextGaussian();
            }
            m.applyItemRow(movie, PlantedWorld.row(1, 1, row));
        }
        CandidateIndex index = m.index();
        assertThat(index).as("built once version 1 completed").isNotNull();
        float[] user = {1, 0, 0, 0, 0};
        m.applyManifest(mf(2, 1), ModelSpec.of(mf(2, 1)));
        m.applyItemRow(7, PlantedWorld.row(2, 1, new float[]{100, 0, 0, 0, 0}));
        assertThat(m.index()).as("no rebuild: the rows moved less than rebuild-drift").isSameAs(index);
        int[] found = new int[5];
        int n = new Retriever().candidates(m.spec(), m.table(), index, user, new int[0], 0, 5, found);
        assertThat(n).isEqualTo(5);
        assertThat(Arrays.stream(found, 0, n).mapToLong(i -> m.table().movieIds[i])).contains(7L);
    }

    /** A version can complete with no item row here (a manifest that counts none): no index over nothing. */
    @Test
    void aVersionWithoutItemRowsBuildsNoIndex() {
        ScorerConfig.Retrieval retrieval = new ScorerConfig.Retrieval(true, ScorerConfig.IndexKind.PARTITIONS, 5, 0, 16,
                4, 16, 100, 100, 1, 0, 0);
        ItemModel m = new ItemModel(0, 0, retrieval, Runnable::run);
        m.applyManifest(mf(1, 0), ModelSpec.of(mf(1, 0)));
        assertThat(m.completeVersion()).isEqualTo(1);
        assertThat(m.index()).isNull();
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
        ItemModel m = tenItemsOfVersionOne();
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

    /**
     * Movement counts from the last full rescore, not version by version: continual training moves the items a
     * little in every snapshot, and none alone reaches the threshold.
     */
    @Test
    void smallMovesAddUpToAFullRescoreAndCountAfreshFromIt() {
        ItemModel m = tenItemsOfVersionOne();
        long first = m.rescoreAllGeneration();
        m.applyManifest(mf(2, 1), ModelSpec.of(mf(2, 1)));
        row(m, 1, 2, 1.5f);               // 0.5 against |V| 3.28: 15 %
        m.applyManifest(mf(3, 1), ModelSpec.of(mf(3, 1)));
        row(m, 4, 3, 1.6f);               // 0.6 against 3.58: 17 % alone, 22 % since the first
        assertThat(m.rescoreAllGeneration()).isEqualTo(first);
        m.applyManifest(mf(4, 1), ModelSpec.of(mf(4, 1)));
        row(m, 5, 4, 1.6f);               // 16 % alone, 26 % since the first
        assertThat(m.rescoreAllGeneration()).isEqualTo(first + 1);
        m.applyManifest(mf(5, 1), ModelSpec.of(mf(5, 1)));
        row(m, 6, 5, 1.6f);               // 15 %, counted afresh
        assertThat(m.rescoreAllGeneration()).isEqualTo(first + 1);
    }

    /**
     * A model that moved a little and then stopped (a trainer with replay off after its stream) would leave the
     * lists of users whose rows did not change ranked by older item rows for good: once at rest, one full rescore.
     */
    @Test
    void aModelAtRestAfterSmallMovesAsksForOneFullRescore() {
        ItemModel m = tenItemsOfVersionOne();
        long first = m.rescoreAllGeneration();
        long later = System.currentTimeMillis() + AT_REST_MS;
        assertThat(m.rescoreAtRest(later)).as("no movement since the first model's full rescore").isFalse();

        m.applyManifest(mf(2, 1), ModelSpec.of(mf(2, 1)));
        row(m, 1, 2, 1.5f);               // 15 %: below the drift
        assertThat(m.rescoreAllGeneration()).isEqualTo(first);
        assertThat(m.rescoreAtRest(System.currentTimeMillis())).as("version 2 just completed").isFalse();
        later = System.currentTimeMillis() + AT_REST_MS;
        assertThat(m.rescoreAtRest(later)).isTrue();
        assertThat(m.rescoreAllGeneration()).isEqualTo(first + 1);
        assertThat(m.rescoreAtRest(later + 10 * AT_REST_MS)).as("once per rest").isFalse();
        m.applyManifest(mf(3, 0), ModelSpec.of(mf(3, 0))); // a version that moves no item (users' rows only)
        assertThat(m.rescoreAtRest(System.currentTimeMillis() + AT_REST_MS)).as("nothing moved since").isFalse();

        m.applyManifest(mf(4, 1), ModelSpec.of(mf(4, 1)));
        row(m, 4, 4, 1.6f);               // 17 %: from the rest's rescore, not the 22 % since the first model
        m.applyManifest(mf(5, 1), ModelSpec.of(mf(5, 1)));
        row(m, 5, 5, 1.6f);               // 22 % since the rest's rescore (26 % would have asked at once)
        assertThat(m.rescoreAllGeneration()).as("movement counts afresh from the rest's rescore").isEqualTo(first + 1);
        assertThat(m.rescoreAtRest(System.currentTimeMillis() + AT_REST_MS)).as("at rest again").isTrue();
    }

    @Test
    void noFullRescoreAtRestWhenTurnedOff() {
        ItemModel m = new ItemModel(0.25);
        m.applyManifest(mf(1, 1), ModelSpec.of(mf(1, 1)));
        row(m, 1, 1, 1);
        m.applyManifest(mf(2, 1), ModelSpec.of(mf(2, 1)));
        row(m, 1, 2, 1.1f);
        assertThat(m.rescoreAtRest(Long.MAX_VALUE / 2)).isFalse();
    }
}
