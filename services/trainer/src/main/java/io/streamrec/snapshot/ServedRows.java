package io.streamrec.snapshot;

import io.streamrec.train.Engine;
import io.streamrec.train.Table;
import io.streamrec.train.Vocabulary;

import java.util.Arrays;

/**
 * What the scorers hold of one table: the parameters and count of every row as last served. A serving snapshot
 * publishes, of the rows changed since the last one, only those that are news to a scorer: a row whose count moved
 * (a new rating), a row never served, and a row whose parameters moved materially from what was served, by more
 * than {@code minChange} relative to its norm (‖w − w_served‖ > minChange·‖w_served‖). Rows that moved less are
 * remembered as drifting, and a refresh serves every drifting row, so no served row stays behind the trainer's
 * for longer than one refresh period.
 */
public final class ServedRows {
    /** Rows exported per engine call: bounds the temporary arrays. */
    private static final int CHUNK = 8192;

    private final Table table;
    private final int width;
    private float[] params = new float[0];
    private int[] counts = new int[0];
    private boolean[] served = new boolean[0];
    private final RowSet drifting = new RowSet();

    public ServedRows(Table table, int width) {
        this.table = table;
        this.width = width;
    }

    /**
     * The rows to serve now, taken from {@code changed}, recorded as served.
     *
     * @param refresh serve every row that differs at all from what was served, drifting rows included
     */
    public CapturedRows select(Engine engine, Vocabulary vocabulary, int[] changed, String topic, long version,
                               double minChange, boolean refresh) {
        int[] candidates = changed;
        if (refresh) {
            for (int row : changed) {
                drifting.mark(row);
            }
            candidates = drifting.drain();
        }
        grow(vocabulary.size());
        long[] ids = new long[candidates.length];
        int[] outCounts = new int[candidates.length];
        float[] out = new float[candidates.length * width];
        int n = 0;
        float[] chunk = new float[Math.min(CHUNK, Math.max(1, candidates.length)) * width];
        float[] noState = new float[Math.min(CHUNK, Math.max(1, candidates.length)) * engine.layout().stateWidth()];
        int[] slice = new int[Math.min(CHUNK, Math.max(1, candidates.length))];
        double threshold = refresh ? 0 : minChange * minChange;
        for (int from = 0; from < candidates.length; from += slice.length) {
            int m = Math.min(slice.length, candidates.length - from);
            System.arraycopy(candidates, from, slice, 0, m);
            engine.exportRows(table, slice, m, chunk, noState);
            for (int k = 0; k < m; k++) {
                int row = slice[k];
                int count = vocabulary.count(row);
                if (served[row] && count == counts[row] && !moved(chunk, k * width, row * width, threshold)) {
                    if (!refresh) {
                        drifting.mark(row);
                    }
                    continue;
                }
                System.arraycopy(chunk, k * width, params, row * width, width);
                System.arraycopy(chunk, k * width, out, n * width, width);
                counts[row] = count;
                served[row] = true;
                ids[n] = vocabulary.id(row);
                outCounts[n] = count;
                n++;
            }
        }
        return new CapturedRows(topic, version, Arrays.copyOf(ids, n), Arrays.copyOf(outCounts, n),
                Arrays.copyOf(out, n * width), width, new float[0], 0, true);
    }

    /** Rows of this table never served yet or drifting: what a full refresh would add. */
    public int drifting() {
        return drifting.size();
    }

    /** Whether the row moved, relative to its served norm, by more than √threshold (any amount when 0). */
    private boolean moved(float[] now, int at, int servedAt, double threshold) {
        double change = 0;
        double norm = 0;
        for (int j = 0; j < width; j++) {
            double d = now[at + j] - params[servedAt + j];
            change += d * d;
            norm += (double) params[servedAt + j] * params[servedAt + j];
        }
        return threshold == 0 ? change > 0 : change > threshold * Math.max(norm, 1e-12);
    }

    private void grow(int rows) {
        if (served.length < rows) {
            int cap = Math.max(rows, served.length * 2);
            params = Arrays.copyOf(params, cap * width);
            counts = Arrays.copyOf(counts, cap);
            served = Arrays.copyOf(served, cap);
        }
    }
}
