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
 *   <li>always, a row whose count moved (a new rating) and a row never served;</li>
 *   <li>a row only replay moved, once its parameters moved materially from what was served, by more than
 *       {@code minChange} relative to its norm (‖w − w_served‖ > minChange·‖w_served‖), within a budget of
 *       {@code maxMovedRows} such rows per snapshot, those that moved most first.</li>
 * </ul>
 * Rows not served are remembered as drifting. A refresh makes every drifting row due: due rows are served
 * whatever their change, first within the budget, over as many snapshots as the budget takes, so no served row
 * stays behind the trainer's for longer than one refresh period plus that.
 *
 * <p>Why the budget: continual training moves the rows of users who did not rate, and a scorer ranks every user
 * whose row it is sent. Without a bound, replay over 50,000 users served 6,500 user rows a second, the scorer
 * ranked 5,600 users a second for them, and ratings waited behind those rows for their lists (bench soak at 1,000
 * ratings/s: rating-to-list p99 14-37 s, against 0.13 s with replay off).
 *
 * <p>Not thread-safe: the training thread owns it (its export scratch is kept between selections).
 */
public final class ServedRows {
    /** Rows exported per engine call: bounds the temporary arrays. */
    private static final int CHUNK = 8192;
    /** The priority of a row served whatever the budget: a new rating, or never served. */
    private static final float NEWS = Float.POSITIVE_INFINITY;
    /** The priority of a due row: before any row that only moved. */
    private static final float DUE = Float.MAX_VALUE;

    /**
     * @param minChange    a row only replay moved is served once it moved this much relative to its served norm
     * @param maxMovedRows rows served per snapshot for having moved or being due, at most (at least 1, so a
     *                     refresh always ends)
     * @param precision    how served rows are written: float16 or int8 ({@code trainer.serving.precision})
     */
    public record Rule(double minChange, int maxMovedRows, FactorRow.Precision precision) {
        public Rule {
            if (precision == null || precision == FactorRow.Precision.FLOAT32) {
                throw new IllegalArgumentException("serving rows are float16 or int8");
            }
            if (!(minChange >= 0) || maxMovedRows < 1) {
                throw new IllegalArgumentException("trainer.serving settings out of range: min-change=" + minChange
                        + " max-moved-rows=" + maxMovedRows);
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
    /** The due rows of the snapshot being selected, and the candidates: scratch, empty between calls. */
    private final RowSet dueNow = new RowSet();
    private final RowSet candidateSet = new RowSet();
    /** Scratch of each selection, kept between them (a snapshot a second allocated 2 MB of it, a table each). */
    private final int[] slice = new int[CHUNK];
    private float[] chunk = new float[0];
    private float[] priority = new float[0];

    public ServedRows(Table table, int width, Rule rule) {
        this.table = table;
        this.width = width;
        this.rule = rule;
    }

    /**
     * The rows to serve now, taken from {@code changed} and the rows a refresh made due, recorded as served.
     *
     * @param refresh make every drifting row due
     */
    public CapturedRows select(Engine engine, Vocabulary vocabulary, int[] changed, String topic, long version,
                               boolean refresh) {
        if (refresh) {
            for (int row : drifting.drain()) {
                due.mark(row);
            }
        }
        for (int row : due.drain()) {
            dueNow.mark(row);
            candidateSet.mark(row);
        }
        for (int row : changed) {
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

        // First pass: each candidate's priority (its squared relative change, or DUE, or NEWS), 0 if not eligible.
        int news = 0;
        int eligible = 0;
        for (int from = 0; from < candidates.length; from += CHUNK) {
            int m = export(engine, candidates, from);
            for (int k = 0; k < m; k++) {
                int row = slice[k];
                float p;
                if (!served[row] || vocabulary.count(row) != counts[row]) {
                    p = NEWS;
                } else {
                    float change = relativeChange(chunk, k * width, row * width);
                    // Below the threshold (and not due): negative, so it drifts but is not served.
                    p = change == 0 ? 0 : dueNow.contains(row) ? DUE : change > threshold ? change : -change;
                }
                priority[from + k] = p;
                if (p == NEWS) {
                    news++;
                } else if (p > 0) {
                    eligible++;
                }
            }
        }
        Cutoff cutoff = cutoff(priority, candidates.length, eligible);
        int ties = cutoff.ties();

        // Second pass: serve the news and, within the budget, the due and most moved rows; the rest drift. When the
        // candidates fit in one chunk, the first pass's export is still in it.
        boolean oneChunk = candidates.length <= CHUNK;
        int serving = news + Math.min(eligible, rule.maxMovedRows());
        long[] ids = new long[serving];
        int[] outCounts = new int[serving];
        float[] out = new float[serving * width];
        int n = 0;
        for (int from = 0; from < candidates.length; from += CHUNK) {
            int m = oneChunk ? candidates.length : export(engine, candidates, from);
            for (int k = 0; k < m; k++) {
                int row = slice[k];
                float p = priority[from + k];
                boolean serve = p == NEWS || p > 0 && (p > cutoff.priority() || p == cutoff.priority() && ties-- > 0);
                if (!serve) {
                    if (p == DUE) {
                        due.mark(row);
                    } else if (p != 0) {
                        drifting.mark(row);
                    }
                    continue;
                }
                System.arraycopy(chunk, k * width, params, row * width, width);
                System.arraycopy(chunk, k * width, out, n * width, width);
                counts[row] = vocabulary.count(row);
                served[row] = true;
                ids[n] = vocabulary.id(row);
                outCounts[n] = counts[row];
                n++;
            }
        }
        dueNow.drain();
        if (n != serving) { // the arrays were sized by the count: a miscount would publish empty rows
            throw new IllegalStateException(n + " rows served, " + serving + " counted");
        }
        return new CapturedRows(topic, version, ids, outCounts, out, width, new float[0], 0, rule.precision());
    }

    /** Candidates [from, from + CHUNK) into {@link #slice}, their parameters into {@link #chunk}; returns how many. */
    private int export(Engine engine, int[] candidates, int from) {
        int m = Math.min(CHUNK, candidates.length - from);
        System.arraycopy(candidates, from, slice, 0, m);
        engine.exportRows(table, slice, m, chunk, null); // parameters only: serving carries no optimizer state
        return m;
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
