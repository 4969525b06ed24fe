package io.streamrec.score.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The item matrix's movieId lookup: small ids in the dense array, others in the map, through growth and removal. */
class ItemFactorsTest {

    @Test
    void everyIdFindsItsRowWhateverItsSize() {
        ItemFactors f = new ItemFactors();
        // Small and MovieLens-like ids, one past the dense array's limit, a huge one and a negative one, in an
        // order that makes the dense array grow several times and the table outgrow its first capacity.
        long[] ids = new long[3000];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextLong(1, 300_000);
        }
        ids[10] = 1L << 22;
        ids[20] = Long.MAX_VALUE;
        ids[30] = -7;
        ids[40] = 0;
        ids = java.util.Arrays.stream(ids).distinct().toArray();
        for (int i = 0; i < ids.length; i++) {
            f.put(ids[i], new float[]{i, -i});
        }
        ItemFactors.Table t = f.table();
        assertEquals(ids.length, t.size());
        for (int i = 0; i < ids.length; i++) {
            int at = t.indexOf(ids[i]);
            assertEquals(i, at, "id " + ids[i]);
            float[] row = new float[2];
            t.row(at, row);
            assertArrayEquals(new float[]{i, -i}, row);
        }
        assertEquals(-1, t.indexOf(300_001));
        assertEquals(-1, t.indexOf((1L << 22) + 1));
        assertEquals(-1, t.indexOf(-8));

        // A patched row keeps its index; a removed one is gone until a row revives it.
        f.put(ids[5], new float[]{9, 9});
        assertEquals(5, f.table().indexOf(ids[5]));
        f.remove(ids[20]);
        f.remove(ids[40]);
        assertEquals(-1, f.table().indexOf(ids[20]));
        assertEquals(-1, f.table().indexOf(ids[40]));
        f.put(ids[40], new float[]{1, 1});
        assertEquals(40, f.table().indexOf(ids[40]));
    }

    @Test
    void aFrozenTableDoesNotSeeLaterItems() {
        ItemFactors f = new ItemFactors();
        f.put(3, new float[]{1});
        ItemFactors.Table frozen = f.table().frozen();
        f.put(4, new float[]{2});
        assertEquals(0, frozen.indexOf(3));
        assertEquals(-1, frozen.indexOf(4));
        assertEquals(1, f.table().indexOf(4));
    }
}
