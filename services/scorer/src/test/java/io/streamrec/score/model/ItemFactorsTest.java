package io.streamrec.score.model;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The item matrix's movieId lookup: small ids in the dense array, others in the map, through growth and removal. */
class ItemFactorsTest {

    @Test
    void everyIdFindsItsRowWhateverItsSize() {
        // The ids at either side of the dense array's limit, extreme and negative ones, then MovieLens-like ids in
        // ascending runs, so the dense array doubles many times and the table outgrows its first capacity.
        long[] special = {0, (1L << 22) - 1, 1L << 22, Long.MAX_VALUE, Long.MIN_VALUE, -7};
        SplittableRandom random = new SplittableRandom(5);
        long[] ordinary = LongStream.concat(LongStream.rangeClosed(1, 1500),
                random.longs(1500, 1501, 300_000).sorted()).distinct().toArray();
        long[] ids = LongStream.concat(Arrays.stream(special), Arrays.stream(ordinary)).toArray();
        assertEquals(ids.length, Arrays.stream(ids).distinct().count());
        ItemFactors f = new ItemFactors();
        ItemFactors.Table early = null;
        for (int i = 0; i < ids.length; i++) {
            f.put(ids[i], new float[]{i, -i});
            if (i == 100) {
                early = f.table();
            }
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

        // A table taken before the matrix grew into new arrays (it filled its 1,024 rows in place meanwhile) still
        // finds its own items, and none appended after it moved on.
        assertEquals(100, early.indexOf(ids[100]));
        assertEquals(1000, early.indexOf(ids[1000]));
        assertEquals(-1, early.indexOf(ids[2000]));

        // A patched row keeps its index; a removed one is gone until a row revives it.
        f.put(ids[5], new float[]{9, 9});
        assertEquals(5, f.table().indexOf(ids[5]));
        f.remove(Long.MAX_VALUE);
        f.remove(0);
        assertEquals(-1, f.table().indexOf(Long.MAX_VALUE));
        assertEquals(-1, f.table().indexOf(0));
        f.put(0, new float[]{1, 1});
        assertEquals(0, f.table().indexOf(0));
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
