package io.streamrec.snapshot;

import io.streamrec.contract.FactorRow;
import io.streamrec.train.Engine;
import io.streamrec.train.Table;
import io.streamrec.train.Vocabulary;

import java.util.Arrays;

/**
 * What the scorers hold of one table: the parameters and count of every row as last served. A serving snapshot
 * publishes, of the rows changed since the last one, only those that are news to a scorer:
 * <ul>
 *   <li>a row whose count moved (a new rating) and a row never served, within a budget of {@code maxRatedRows}
 *       such rows per snapshot; those left over wait, first in line, for the next snapshots. The rows a restarted
 *       trainer restored wait too ({@link #awaitServing}), behind every rated row;</li>
 *   <li>a row only replay moved, once its parameters moved materially from what was served, by more than
 *       {@code minChange} relative to its norm (‖w − w_served‖ > minChange·‖w_served‖), within a budget of
 *       {@code maxMovedRows} such rows per snapshot, those that moved most first.</li>
 * </ul>
 * Rows not served are remembered as drifting. A refresh makes every drifting row due: due rows are served
 * whatever their change, first within {@code maxMovedRows}, over as many snapshots as that budget takes, so no
 * served row stays behind the trainer's for longer than one refresh period plus that.
 *
 * <p>Why the budgets: a scorer ranks every user whose row it is sent. Without a bound on moved rows, replay over
 * 50,000 users served 6,500 user rows a second, the scorer ranked 5,600 users a second for them, and ratings waited
 * behind those rows for their lists (bench soak at 1,000 ratings/s: rating-to-list p99 14-37 s, against 0.13 s with
 * replay off). Without a bound on rated rows, a trainer catching up on a backlog served nearly every user row of
 * the model in every snapshot (bench stream over 10M events: 190,000 rows and 18 MB a second), many times what a
 * scorer ranks in a second (16,000-20,000 users at ml-25m size). The bound caps the serving topics' bytes at full
 * load, and leaves a row's news a few snapshots late only while more rows are rated than scorers could rank anyway.
 * The last snapshot before a trainer lets its partitions go serves every waiting row.
 *
 * <p>Not thread-safe: the training thread owns it (its export scratch is kept between selections); only
 * {@link #waiting()} may be read from another thread.
 */
public final class ServedRows {
    /** Rows exported per engine call: bounds the temporary arrays. */
    private static final int CHUNK = 8192;
    /** The priority of a row with news (a new rating, or never served): served within the rated budget. */
    private static final float NEWS = Float.POSITIVE_INFINITY;
    /** The priority of a due row: before any row that only moved. */
    private static final float DUE = Float.MAX_VALUE;

    /**
     * @param minChange    a row only replay moved is served once it moved this much relative to its served norm
     * @param maxMovedRows rows served per snapshot for having moved or being due, at most (at least 1, so a
     *                     refresh always ends)
     * @param maxRatedRows rows served per snapshot for a new rating or for never having been served, at most (at
     *                     least 1, so waiting rows are always served in the end)
     * @param precision    how served rows are written: float16 or int8 ({@code trainer.serving.precision})
     */
    public record Rule(double minChange, int maxMovedRows, int maxRatedRows, FactorRow.Precision precision) {
        public Rule {
            if (precision == null || precision == FactorRow.Precision.FLOAT32) {
                throw new IllegalArgumentException("serving rows are float16 or int8");
            }
            if (!(minChange >= 0) || maxMovedRows < 1 || maxRatedRows < 1) {
                throw new IllegalArgumentException("trainer.serving settings out of range: min-change=" + minChange
                        + " max-moved-rows=" + maxMovedRows + " max-rated-rows=" + maxRatedRows);
            }
        }
    }

    private final Table table;
    private final int width;
    private final Rule rule;
    private float[] params = new float[0];
    private int[] counts = new int[0];
    private boolean[] served = new boolean[0];
    private final RowSet drifting = new RowSet();
    private final RowSet due = new RowSet();
    /** Rows with news that the rated budget left over: the next snapshot's first candidates. */
    private final RowSet waiting = new RowSet();
    /** Rows a restarted trainer restored, whose served state is unknown: the next snapshot's last candidates. */
    private final RowSet restored = new RowSet();
    /** Both sets' sizes, for a gauge on another thread. */
    private volatile int waitingRows;
    /** The due rows of the snapshot being selected, and the candidates: scratch, empty between calls. */
    private final RowSet dueNow = new RowSet();
    private final RowSet candidateSet = new RowSet();
    /**
     * Scratch of each selection, kept between them (a snapshot a second allocated 2 MB of it, a table each): rows
     * exported in one engine call, where each stands among the candidates, and their parameters.
     */
    private final int[] slice = new int[CHUNK];
    private final int[] sliceAt = new int[CHUNK];
    private float[] chunk = new float[0];
    private float[] priority = new float[0];

    public ServedRows(Table table, int width, Rule rule) {
        this.table = table;
        this.width = width;
        this.rule = rule;
    }

    /**
     * Makes rows [0, rows) wait to be served, as news. At a start, what the scorers hold is unknown: a run may have
     * stopped before its last snapshot, and a checkpoint may hold rows that no snapshot served before a crash.
     */
    public void awaitServing(int rows) {
        for (int row = 0; row < rows; row++) {
            restored.mark(row);
        }
        waitingRows = waiting.size() + restored.size();
    }

    /** Rows with news for the scorers that the rated budget left over (restored ones included); any thread. */
    public int waiting() {
        return waitingRows;
    }

    /**
     * The rows to serve now, taken from the waiting rows, the rows a refresh made due, {@code changed} and the
     * restored rows, in that order, recorded as served.
     *
     * @param refresh make every drifting row due
     * @param last    the last snapshot before the trainer stops or lets its partitions go: every row with news is
     *                served, whatever the rated budget
     */
    public CapturedRows select(Engine engine, Vocabulary vocabulary, int[] changed, String topic, long version,
                               boolean refresh, boolean last) {
        if (refresh) {
            for (int row : drifting.drain()) {
                due.mark(row);
            }
        }
        for (int row : waiting.drain()) {
            candidateSet.mark(row);
        }
        for (int row : due.drain()) {
            dueNow.mark(row);
            candidateSet.mark(row);
        }
        for (int row : changed) {
            candidateSet.mark(row);
        }
        int restoredFrom = candidateSet.size(); // candidates from here on are restored rows and nothing else
        for (int row : restored.drain()) {
            candidateSet.mark(row);
        }
        int[] candidates = candidateSet.drain();
        grow(vocabulary.size());
        if (chunk.length < Math.min(CHUNK, candidates.length) * width) {
            chunk = new float[Math.min(CHUNK, candidates.length) * width];
        }
        if (priority.length < candidates.length) {
            priority = new float[Math.max(candidates.length, priority.length + (priority.length >> 1))];
        }
        double threshold = rule.minChange() * rule.minChange();

        // First pass: each candidate's priority: NEWS, DUE, or its squared relative change (0 if unchanged). Only the
        // rows without news are exported here, to measure their change.
        int news = 0;
        int eligible = 0;
        for (int from = 0; from < candidates.length; from += CHUNK) {
            int to = Math.min(candidates.length, from + CHUNK);
            int m = 0;
            for (int k = from; k < to; k++) {
                int row = candidates[k];
                if (!served[row] || vocabulary.count(row) != counts[row]) {
                    priority[k] = NEWS;
                    news++;
                } else {
                    slice[m] = row;
                    sliceAt[m++] = k;
                }
            }
            engine.exportRows(table, slice, m, chunk, null); // parameters only: serving carries no optimizer state
            for (int j = 0; j < m; j++) {
                int row = slice[j];
                float change = relativeChange(chunk, j * width, row * width);
                // Below the threshold (and not due): negative, so it drifts but is not served.
                float p = change == 0 ? 0 : dueNow.contains(row) ? DUE : change > threshold ? change : -change;
                priority[sliceAt[j]] = p;
                if (p > 0) {
                    eligible++;
                }
            }
        }
        Cutoff cutoff = cutoff(priority, candidates.length, eligible);
        int ties = cutoff.ties();
        int newsServed = last ? news : Math.min(news, rule.maxRatedRows());

        // Second pass: the news within its budget, in candidate order (the waiting rows first, the restored ones last),
        // and the due and most moved rows within theirs; the news left over waits, the other rows left over drift.
        int serving = newsServed + Math.min(eligible, rule.maxMovedRows());
        int[] rows = new int[serving];
        int n = 0;
        int newsLeft = newsServed;
        for (int k = 0; k < candidates.length; k++) {
            int row = candidates[k];
            float p = priority[k];
            boolean serve = p == NEWS ? newsLeft-- > 0
                    : p > 0 && (p > cutoff.priority() || p == cutoff.priority() && ties-- > 0);
            if (serve) {
                rows[n++] = row;
            } else if (p == NEWS) {
                (k >= restoredFrom ? restored : waiting).mark(row);
            } else if (p == DUE) {
                due.mark(row);
            } else if (p != 0) {
                drifting.mark(row);
            }
        }
        dueNow.drain();
        waitingRows = waiting.size() + restored.size();
        if (n != serving) { // the arrays are sized by the count: a miscount would publish empty rows
            throw new IllegalStateException(n + " rows served, " + serving + " counted");
        }

        // The served rows' parameters, exported again: most candidates are not served at full load.
        long[] ids = new long[serving];
        int[] outCounts = new int[serving];
        float[] out = new float[serving * width];
        for (int from = 0; from < serving; from += CHUNK) {
            int m = Math.min(CHUNK, serving - from);
            System.arraycopy(rows, from, slice, 0, m);
            engine.exportRows(table, slice, m, chunk, null);
            System.arraycopy(chunk, 0, out, from * width, m * width);
            for (int k = 0; k < m; k++) {
                int row = slice[k];
                System.arraycopy(chunk, k * width, params, row * width, width);
                counts[row] = vocabulary.count(row);
                served[row] = true;
                ids[from + k] = vocabulary.id(row);
                outCounts[from + k] = counts[row];
            }
        }
        return new CapturedRows(topic, version, ids, outCounts, out, width, new float[0], 0, rule.precision());
    }

    /**
     * The lowest priority served and how many rows of exactly that priority may be, when {@code eligible} rows
     * compete for the budget: every row above the cutoff is served, ties at it in candidate order.
     */
    private record Cutoff(float priority, int ties) {
        static final Cutoff NONE = new Cutoff(0, Integer.MAX_VALUE);
    }

    private Cutoff cutoff(float[] priority, int candidates, int eligible) {
        int budget = rule.maxMovedRows();
        if (eligible <= budget) {
            return Cutoff.NONE;
        }
        float[] competing = new float[eligible];
        int i = 0;
        for (int k = 0; k < candidates; k++) {
            float p = priority[k];
            if (p > 0 && p != NEWS) {
                competing[i++] = p;
            }
        }
        Arrays.sort(competing);
        float lowest = competing[eligible - budget];
        int above = 0;
        for (int k = eligible - 1; k >= 0 && competing[k] > lowest; k--) {
            above++;
        }
        return new Cutoff(lowest, budget - above);
    }

    /** ‖w − w_served‖² / ‖w_served‖²: 0 for an unchanged row, huge for a zero row that moved. */
    private float relativeChange(float[] now, int at, int servedAt) {
        double change = 0;
        double norm = 0;
        for (int j = 0; j < width; j++) {
            double d = now[at + j] - params[servedAt + j];
            change += d * d;
            norm += (double) params[servedAt + j] * params[servedAt + j];
        }
        return change == 0 ? 0 : (float) Math.max(Float.MIN_VALUE, Math.min(change / Math.max(norm, 1e-12), Float.MAX_VALUE / 2));
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
