package io.streamrec.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.contract.FactorRow;
import io.streamrec.train.ModelLayout;
import io.streamrec.train.Table;
import io.streamrec.train.TestConfigs;
import io.streamrec.train.Vocabulary;
import io.streamrec.train.arrays.JavaEngine;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Which rows a serving snapshot carries: the news within its budget, waiting rows first, restored rows last; moved
 * rows within theirs, the most moved first.
 */
class ServedRowsTest {
    private static final int ROWS = 10;
    /** A rated budget that never binds. */
    private static final int ALL = Integer.MAX_VALUE;

    private final ModelLayout layout = new ModelLayout(TestConfigs.config("trainer.dim", 4));
    private final JavaEngine engine = new JavaEngine(layout);
    private final Vocabulary users = new Vocabulary();
    private final int width = layout.width();
    private final int[] all = IntStream.range(0, ROWS).toArray();

    ServedRowsTest() {
        for (int r = 0; r < ROWS; r++) {
            users.rowOf(100 + r);
        }
        engine.ensureRows(ROWS, 1);
        for (int r = 0; r < ROWS; r++) {
            set(r, 1f);
        }
    }

    @Test
    void newsIsAlwaysServedAndReplayMovesWithinTheBudgetMostMovedFirst() {
        ServedRows served = new ServedRows(Table.USERS, width, new ServedRows.Rule(0.05, 3, ALL, FactorRow.Precision.FLOAT16));
        assertEquals(ROWS, select(served, all, false).length, "every row is news at first, budget or not");

        // Replay moves rows 0-5 by 10 %..60 %, row 6 by 1 % (below min-change); row 7 gets a new rating.
        for (int r = 0; r < 6; r++) {
            set(r, 1.1f + 0.1f * r);
        }
        set(6, 1.01f);
        users.increment(7);
        assertArrayEquals(new long[] {103, 104, 105, 107}, sorted(select(served, all, false)),
                "the rated row, and the three rows that moved most");
        assertArrayEquals(new long[] {102}, sorted(select(served, new int[] {2}, false)),
                "a row left drifting is served when it is looked at again with room in the budget");
    }

    @Test
    void aRefreshServesEveryDriftingRowDueFirstOverAsManySnapshotsAsTheBudgetTakes() {
        ServedRows served = new ServedRows(Table.USERS, width, new ServedRows.Rule(0.05, 2, ALL, FactorRow.Precision.FLOAT16));
        select(served, all, false);
        for (int r = 0; r < 8; r++) {
            set(r, 1.001f); // below min-change: rows 0-7 drift, 8 and 9 stay as served
        }
        assertEquals(0, select(served, all, false).length);
        long[] first = select(served, new int[0], true);
        assertEquals(2, first.length, "the budget holds in a refresh");
        set(9, 3f); // a big move, not due: it waits behind the due rows
        long[] second = select(served, new int[] {9}, false);
        assertEquals(2, second.length);
        assertTrue(Arrays.stream(second).allMatch(id -> id < 108), "due rows first: " + Arrays.toString(second));
        long[] rest = new long[0];
        for (int snapshot = 0; snapshot < ROWS; snapshot++) {
            rest = concat(rest, select(served, new int[0], false));
        }
        assertArrayEquals(new long[] {100, 101, 102, 103, 104, 105, 106, 107},
                sorted(concat(concat(first, second), rest)), "every due row once, none twice");
        assertArrayEquals(new long[] {109}, select(served, new int[] {9}, false),
                "the moved row once the due rows are served");
        assertEquals(0, select(served, all, false).length, "nothing left to serve");
    }

    @Test
    void rowsTiedAtTheCutoffNeverPushOutARowThatMovedMore() {
        ServedRows served = new ServedRows(Table.USERS, width, new ServedRows.Rule(0.05, 2, ALL, FactorRow.Precision.FLOAT16));
        select(served, all, false);
        set(0, 1.1f);
        set(1, 1.1f);
        set(2, 1.5f);
        long[] ids = sorted(select(served, new int[] {0, 1, 2}, false));
        assertEquals(2, ids.length);
        assertEquals(102, ids[1], "the row that moved most is served: " + Arrays.toString(ids));
    }

    @Test
    void selectionsOfMoreRowsThanAnExportChunkServeEachRowWithItsOwnParameters() {
        int rows = 20_000; // more than two of ServedRows' export chunks
        Vocabulary many = new Vocabulary();
        JavaEngine big = new JavaEngine(layout);
        big.ensureRows(rows, 1);
        for (int r = 0; r < rows; r++) {
            many.rowOf(1_000_000 + r);
            setIn(big, r, 1f + r * 1e-4f);
        }
        int[] every = IntStream.range(0, rows).toArray();
        ServedRows served = new ServedRows(Table.USERS, width, new ServedRows.Rule(0.05, 5_000, ALL, FactorRow.Precision.FLOAT16));
        CapturedRows first = served.select(big, many, every, "model-user-factors", 1, false, false);
        assertEquals(rows, first.size(), "all news");
        assertServedAsTheEngineHolds(big, first);

        for (int r = 0; r < rows; r += 2) { // half the rows move, by 10 % up to 210 %: the budget takes the last 5,000
            setIn(big, r, (1f + r * 1e-4f) * (1.1f + r * 1e-4f));
        }
        for (int r = 1; r < rows; r += 1_000) {
            many.increment(r); // 20 rated rows: news
        }
        CapturedRows second = served.select(big, many, every, "model-user-factors", 2, false, false);
        assertEquals(20 + 5_000, second.size(), "the news and the budget, exactly: no spare slots");
        assertServedAsTheEngineHolds(big, second);
        long moved = Arrays.stream(second.ids()).filter(id -> (id - 1_000_000) % 2 == 0).toArray().length;
        assertEquals(5_000, moved);
        assertTrue(Arrays.stream(second.ids()).filter(id -> (id - 1_000_000) % 2 == 0).allMatch(id -> id >= 1_000_000 + 10_000),
                "the rows that moved most");
    }

    private void assertServedAsTheEngineHolds(JavaEngine big, CapturedRows captured) {
        float[] expected = new float[width];
        for (int k = 0; k < captured.size(); k++) {
            int row = (int) (captured.ids()[k] - 1_000_000);
            big.exportRows(Table.USERS, new int[] {row}, 1, expected, null);
            assertArrayEquals(expected, Arrays.copyOfRange(captured.params(), k * width, (k + 1) * width),
                    "row " + row);
        }
    }

    @Test
    void ratedRowsBeyondTheirBudgetWaitFirstInLineAndTheLastSnapshotServesThemAll() {
        ServedRows served = new ServedRows(Table.USERS, width, new ServedRows.Rule(0.05, 1, 4, FactorRow.Precision.FLOAT16));
        assertArrayEquals(new long[] {100, 101, 102, 103}, select(served, all, false), "never served: news, within the budget");
        assertEquals(6, served.waiting());
        users.increment(0); // a new rating for a row already served: news again, behind the waiting rows
        set(9, 2f);         // a waiting row's parameters move before it is served: it is served as it is now
        long[] second = select(served, new int[] {0}, false);
        assertArrayEquals(new long[] {104, 105, 106, 107}, second, "the waiting rows first, in the order they came");
        CapturedRows third = served.select(engine, users, new int[0], "model-user-factors", 3, false, false);
        assertArrayEquals(new long[] {108, 109, 100}, third.ids());
        assertEquals(2f, third.params()[width], "the row's parameters when it is served");
        assertEquals(1, third.counts()[2], "and its count");
        assertEquals(0, served.waiting());

        for (int r = 0; r < ROWS; r++) {
            users.increment(r);
        }
        set(5, 1.5f); // moved and rated: served once, as news
        assertEquals(4, select(served, all, false).length);
        assertArrayEquals(new long[] {104, 105, 106, 107, 108, 109},
                served.select(engine, users, new int[0], "model-user-factors", 5, false, true).ids(),
                "the last snapshot serves every waiting row, whatever the budget");
        assertEquals(0, served.waiting());
        assertEquals(0, select(served, all, false).length, "nothing left to serve");
    }

    @Test
    void atAStartEveryRowWaitsToBeServedBehindTheRatedRows() {
        ServedRows served = new ServedRows(Table.USERS, width, new ServedRows.Rule(0.05, 1, 4, FactorRow.Precision.FLOAT16));
        served.awaitServing(ROWS);
        assertEquals(ROWS, served.waiting());
        users.increment(8);
        users.increment(9);
        assertArrayEquals(new long[] {108, 109, 100, 101}, select(served, new int[] {8, 9}, false),
                "the rated rows first, then restored rows no step changed");
        users.increment(0);
        assertArrayEquals(new long[] {100, 102, 103, 104}, select(served, new int[] {0}, false),
                "a served row rated again goes ahead of the restored rows still waiting");
        assertEquals(3, served.waiting());
        assertArrayEquals(new long[] {105, 106, 107}, select(served, new int[0], false));
        assertEquals(0, served.waiting());
        assertEquals(0, select(served, all, false).length);
    }

    @Test
    void theTwoBudgetsBindApartInOneSnapshot() {
        ServedRows served = new ServedRows(Table.USERS, width, new ServedRows.Rule(0.05, 2, 3, FactorRow.Precision.FLOAT16));
        served.awaitServing(ROWS);
        for (int snapshot = 0; snapshot < 4; snapshot++) {
            select(served, new int[0], false);
        }
        assertEquals(0, served.waiting());
        for (int r = 0; r < 5; r++) {
            users.increment(r); // rows 0-4 rated
        }
        for (int r = 5; r < ROWS; r++) {
            set(r, 1.1f + 0.1f * r); // rows 5-9 moved by replay, row 9 most
        }
        long[] ids = select(served, all, false);
        assertArrayEquals(new long[] {100, 101, 102, 108, 109}, sorted(ids), "three rated, the two most moved");
        assertEquals(2, served.waiting(), "the other rated rows wait");
        assertArrayEquals(new long[] {103, 104}, select(served, new int[0], false),
                "the rated rows left over, in the next snapshot; the moved rows left over drift until looked at again");
    }

    @Test
    void aBudgetBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ServedRows.Rule(0.05, 0, ALL, FactorRow.Precision.FLOAT16));
        assertThrows(IllegalArgumentException.class, () -> new ServedRows.Rule(0.05, 1, 0, FactorRow.Precision.FLOAT16));
    }

    private long[] select(ServedRows served, int[] changed, boolean refresh) {
        return served.select(engine, users, changed, "model-user-factors", 1, refresh, false).ids();
    }

    private void set(int row, float value) {
        setIn(engine, row, value);
    }

    private void setIn(JavaEngine target, int row, float value) {
        float[] params = new float[width];
        Arrays.fill(params, value);
        target.importRows(Table.USERS, new int[] {row}, 1, params, new float[layout.stateWidth()]);
    }

    private static long[] sorted(long[] ids) {
        long[] copy = ids.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
