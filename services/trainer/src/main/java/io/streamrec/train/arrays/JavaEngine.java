package io.streamrec.train.arrays;

import io.streamrec.train.DenseTensor;
import io.streamrec.train.Engine;
import io.streamrec.contract.ModelKind;
import io.streamrec.train.ModelLayout;
import io.streamrec.train.Objective;
import io.streamrec.train.OptimizerKind;
import io.streamrec.train.Samples;
import io.streamrec.train.Table;
import io.streamrec.train.TrainerConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The plain-Java engine: {@code mf} and {@code gmf} on {@code float[]} tables. On a CPU it beats libtorch several
 * times over for these models, because a step is thousands of 64-float dot products and axpys and libtorch pays
 * about 2 µs per native call plus memory-bound gather/scatter kernels (docs/findings.md).
 *
 * <p>A step, with the maths of {@link Objective} and {@link OptimizerKind}:
 * <ol>
 *   <li>gather: give each distinct row of the batch a gradient slot;</li>
 *   <li>score and loss: {@code s = u·v + b_u + b_i + μ} (mf) or {@code s = h·(u⊙v) + b} (gmf) per sample;</li>
 *   <li>gradient: {@code g = dℓ/ds / N}, accumulated per slot;</li>
 *   <li>scatter update: per distinct row, add L2 and apply the per-row optimizer.</li>
 * </ol>
 * Samples are split between threads, each accumulating into a gradient buffer of its own; rows are then split,
 * each thread summing the buffers and applying the optimizer to its rows. Nothing is written by two threads, so
 * there are no Hogwild races and the result does not depend on timing. (Threads owning slots instead, each
 * scoring the samples that touch its rows, read 1.5 times the rows and measured slower on 2 cores than one
 * thread: the step is bound by random reads of table rows.)
 */
public final class JavaEngine implements Engine {
    private final ModelLayout layout;
    private final TrainerConfig config;
    private final boolean gmf;
    private final int d;
    private final int width;
    /** Floats per row of a table: its parameters, then its optimizer state as this engine keeps it. */
    private final int stride;
    /** Optimizer-state floats a row has in the contract (FACTORS.md), which export and import speak. */
    private final int stateWidth;
    /**
     * Adagrad's factor accumulators rounded to bfloat16 ({@code trainer.adagrad-state}) and kept as
     * {@link Bfloat16Pairs}; the bias's stays a float32.
     */
    private final boolean roundsAccumulators;
    /** Where a row's bias state starts, after its parameters and its factors' state. */
    private final int biasStateOffset;
    private final OptimizerKind optimizer;
    private final OptimizerKind denseOptimizer;
    private final Objective objective;
    private final float lo;
    private final float hi;
    private final float l2;
    /** Parameters of a row before its bias: all of them but mf's last. */
    private final int factors;
    private final float factorDecay;
    private final float biasDecay;
    private final float biasRate;
    private final int threads;
    private final ExecutorService pool;

    private final RowTable users;
    private final RowTable items;
    /** mf: {offset}; gmf: {out.weight (d), out.bias (1)}. Kept as one flat vector for one optimizer call. */
    private final float[] dense;
    private final float[] denseState;

    private final Kernels kernels = Kernels.best();
    private final ThreadScratch[] scratch;
    /** Threads whose gradient buffers hold this step's gradients (small batches run on one). */
    private int accumulatedBy;
    private int[] sampleUserSlot = new int[0];
    private int[] sampleItemSlot = new int[0];

    public JavaEngine(ModelLayout layout) {
        this.layout = layout;
        this.config = layout.config();
        if (!config.model().linear()) {
            throw new IllegalArgumentException("the java engine runs mf and gmf, not " + config.model().id());
        }
        this.gmf = config.model() == ModelKind.GMF;
        this.d = config.dim();
        this.width = layout.width();
        this.factors = config.model().factorWidth(config.dim(), config.mlpDim());
        this.stateWidth = layout.stateWidth();
        this.roundsAccumulators = config.roundsAccumulators();
        // Adagrad's state: one accumulator a parameter, the factors' first.
        this.biasStateOffset = width + (roundsAccumulators ? Bfloat16Pairs.floats(factors) : factors);
        this.stride = roundsAccumulators ? biasStateOffset + (width - factors) : width + stateWidth;
        this.optimizer = config.optimizer();
        this.denseOptimizer = layout.denseOptimizer();
        this.objective = config.objective();
        this.lo = config.ratingMin();
        this.hi = config.ratingMax();
        this.l2 = config.l2();
        this.factorDecay = config.factorDecay();
        this.biasDecay = config.biasDecay();
        this.biasRate = config.biasLrScale();
        this.threads = config.threads();
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "java-engine");
            t.setDaemon(true);
            return t;
        }) : null;
        this.users = new RowTable(Table.USERS);
        this.items = new RowTable(Table.ITEMS);
        Map<String, DenseTensor> init = layout.initialDense();
        this.dense = flatten(init);
        this.denseState = new float[denseOptimizer.stateWidth(dense.length)];
        this.scratch = new ThreadScratch[threads];
        for (int t = 0; t < threads; t++) {
            scratch[t] = new ThreadScratch();
        }
    }

    @Override
    public String description() {
        return "java (" + threads + (threads == 1 ? " thread, " : " threads, ")
                + (kernels instanceof ScalarKernels ? "plain loops)" : "SIMD via the Vector API)");
    }

    @Override
    public ModelLayout layout() {
        return layout;
    }

    @Override
    public void ensureRows(int userRows, int itemRows) {
        users.ensure(userRows);
        items.ensure(itemRows);
    }

    @Override
    public float step(Samples samples, float learningRate) {
        int n = samples.size();
        if (n == 0) {
            return 0f;
        }
        assignSlots(samples);
        float inverseN = 1f / n;
        accumulatedBy = parts(n);
        double loss = runChunks(n, (t, from, to) -> scratch[t].accumulate(samples, from, to, inverseN));
        int distinctUsers = users.touched;
        int distinctItems = items.touched;
        runChunks(distinctUsers + distinctItems, (t, from, to) -> {
            for (int k = from; k < to; k++) {
                if (k < distinctUsers) {
                    applyRow(users, k, inverseN, learningRate);
                } else {
                    applyRow(items, k - distinctUsers, inverseN, learningRate);
                }
            }
            return 0;
        });
        applyDense(learningRate);
        users.releaseSlots();
        items.releaseSlots();
        return (float) (loss / n);
    }

    @Override
    public float loss(Samples samples) {
        int n = samples.size();
        int[] u = samples.users();
        int[] i = samples.items();
        float[] y = samples.targets();
        double sum = runChunks(n, (t, from, to) -> {
            double part = 0;
            for (int j = from; j < to; j++) {
                part += objective.loss(raw(u[j], i[j]), y[j], lo, hi);
            }
            return part;
        });
        return n == 0 ? 0f : (float) (sum / n);
    }

    @Override
    public void score(int[] userRows, int[] itemRows, int n, float[] out) {
        runChunks(n, (t, from, to) -> {
            for (int j = from; j < to; j++) {
                out[j] = raw(userRows[j], itemRows[j]);
            }
            return 0;
        });
    }

    @Override
    public void scoreAll(int[] userRows, int n, int itemCount, float[] out) {
        runChunks(n * itemCount, (t, from, to) -> {
            for (int k = from; k < to; k++) {
                out[k] = raw(userRows[k / itemCount], k % itemCount);
            }
            return 0;
        });
    }

    @Override
    public void exportRows(Table table, int[] rows, int n, float[] params, float[] state) {
        RowTable tab = table == Table.USERS ? users : items;
        for (int k = 0; k < n; k++) {
            int wo = rows[k] * stride;
            System.arraycopy(tab.data, wo, params, k * width, width);
            if (state == null) {
                continue;
            }
            if (roundsAccumulators) {
                Bfloat16Pairs.unpack(tab.data, wo + width, factors, state, k * stateWidth);
                System.arraycopy(tab.data, wo + biasStateOffset, state, k * stateWidth + factors, width - factors);
            } else {
                System.arraycopy(tab.data, wo + width, state, k * stateWidth, stateWidth);
            }
        }
    }

    @Override
    public void importRows(Table table, int[] rows, int n, float[] params, float[] state) {
        RowTable tab = table == Table.USERS ? users : items;
        for (int k = 0; k < n; k++) {
            tab.ensure(rows[k] + 1);
            int wo = rows[k] * stride;
            System.arraycopy(params, k * width, tab.data, wo, width);
            if (roundsAccumulators) { // state from a float32 engine or checkpoint is rounded as a step would round it
                Bfloat16Pairs.pack(state, k * stateWidth, factors, tab.data, wo + width);
                System.arraycopy(state, k * stateWidth + factors, tab.data, wo + biasStateOffset, width - factors);
            } else {
                System.arraycopy(state, k * stateWidth, tab.data, wo + width, stateWidth);
            }
        }
    }

    @Override
    public Map<String, DenseTensor> exportDense() {
        Map<String, DenseTensor> out = new LinkedHashMap<>();
        int off = 0;
        for (Map.Entry<String, DenseTensor> e : layout.initialDense().entrySet()) {
            int size = e.getValue().size();
            float[] values = Arrays.copyOfRange(dense, off, off + size);
            out.put(e.getKey(), new DenseTensor(e.getValue().shape(), values,
                    denseOptimizer.slice(denseState, dense.length, off, size)));
            off += size;
        }
        return out;
    }

    /** Replaces the dense tensors; one whose state is missing (or of another size) starts its state from zero. */
    @Override
    public void importDense(Map<String, DenseTensor> tensors) {
        int total = tensors.values().stream().mapToInt(DenseTensor::size).sum();
        if (total != dense.length) {
            throw new IllegalArgumentException("dense weights of " + total + " values, the model has " + dense.length);
        }
        int off = 0;
        for (DenseTensor t : tensors.values()) {
            System.arraycopy(t.values(), 0, dense, off, t.size());
            float[] state = t.state();
            if (state != null && state.length == denseOptimizer.stateWidth(t.size())) {
                denseOptimizer.place(state, t.size(), denseState, dense.length, off);
            }
            off += t.size();
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** The dense tensors as one flat vector, in forward order: one optimizer call updates them all. */
    private static float[] flatten(Map<String, DenseTensor> tensors) {
        float[] out = new float[tensors.values().stream().mapToInt(DenseTensor::size).sum()];
        int off = 0;
        for (DenseTensor t : tensors.values()) {
            System.arraycopy(t.values(), 0, out, off, t.size());
            off += t.size();
        }
        return out;
    }

    /** Raw score s of one pair. */
    private float raw(int u, int i) {
        float[] up = users.data;
        float[] ip = items.data;
        int uo = u * stride;
        int io = i * stride;
        if (gmf) {
            return kernels.weightedDot(dense, up, uo, ip, io, d) + dense[d];
        }
        return kernels.dot(up, uo, ip, io, d) + up[uo + d] + ip[io + d] + dense[0];
    }

    private void assignSlots(Samples samples) {
        int n = samples.size();
        if (sampleUserSlot.length < n) {
            sampleUserSlot = new int[Math.max(n, sampleUserSlot.length * 2)];
            sampleItemSlot = new int[sampleUserSlot.length];
        }
        int[] u = samples.users();
        int[] i = samples.items();
        for (int j = 0; j < n; j++) {
            sampleUserSlot[j] = users.slot(u[j]);
            sampleItemSlot[j] = items.slot(i[j]);
        }
        for (ThreadScratch s : scratch) {
            s.size(users.touched, items.touched);
        }
    }

    /** Sums the threads' gradients for one distinct row, adds L2, and applies the per-row optimizer. */
    private void applyRow(RowTable tab, int slot, float inverseN, float lr) {
        int row = tab.touchedRows[slot];
        float[] g = scratch[0].gradient(tab.table);
        int go = slot * width;
        for (int t = 1; t < accumulatedBy; t++) {
            kernels.axpy(1f, scratch[t].gradient(tab.table), go, g, go, width);
        }
        int wo = row * stride;
        if (l2 > 0) {
            kernels.axpy(2 * l2 * tab.occurrences[slot] * inverseN, tab.data, wo, g, go, width);
        }
        int so = wo + width;
        if (optimizer == OptimizerKind.ADAGRAD) {
            // The factors (SIMD, their accumulators in 16 bits or 32) and mf's bias, each with its own decay.
            if (roundsAccumulators) {
                kernels.adagradBfloat16(tab.data, wo, g, go, tab.data, so, factors, lr, factorDecay);
            } else {
                kernels.adagrad(tab.data, wo, g, go, tab.data, so, factors, lr, factorDecay);
            }
            if (factors < width) {
                optimizer.apply(tab.data, wo + factors, g, go + factors, tab.data, wo + biasStateOffset,
                        width - factors, lr * biasRate, biasDecay);
            }
        } else {
            optimizer.apply(tab.data, wo, g, go, tab.data, so, width, lr);
        }
    }

    private void applyDense(float lr) {
        float[] g = scratch[0].denseGradient;
        for (int t = 1; t < accumulatedBy; t++) {
            float[] other = scratch[t].denseGradient;
            for (int k = 0; k < g.length; k++) {
                g[k] += other[k];
            }
        }
        denseOptimizer.apply(dense, 0, g, 0, denseState, 0, dense.length, lr);
    }

    @FunctionalInterface
    private interface Chunk {
        double run(int thread, int from, int to);
    }

    /** Threads worth splitting n units of work between: below a couple of thousand, handing off costs more. */
    private int parts(int n) {
        return pool == null || n < 2048 ? 1 : threads;
    }

    /** Runs [0, n) in one contiguous chunk per thread, the caller's thread taking the first; returns the sum. */
    private double runChunks(int n, Chunk chunk) {
        if (parts(n) == 1) {
            return chunk.run(0, 0, n);
        }
        List<Future<Double>> futures = new ArrayList<>(threads - 1);
        int per = (n + threads - 1) / threads;
        for (int t = 1; t < threads; t++) {
            int thread = t;
            int from = Math.min(n, t * per);
            int to = Math.min(n, from + per);
            futures.add(pool.submit(() -> chunk.run(thread, from, to)));
        }
        return chunk.run(0, 0, Math.min(n, per)) + sum(futures);
    }

    private static double sum(List<Future<Double>> futures) {
        double sum = 0;
        try {
            for (Future<Double> f : futures) {
                sum += f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a training step", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("training step failed", e.getCause());
        }
        return sum;
    }

    /**
     * One embedding table, each row's parameters followed by its optimizer state in one array (rows × stride), and
     * the step's slots. Side by side, an update reads and writes one contiguous run of memory per row instead of two
     * far apart: the rows are random accesses into tables far larger than the caches.
     */
    private final class RowTable {
        final Table table;
        float[] data = new float[0];
        int capacity;
        int initialised;
        /** Row to its gradient slot in the current step, -1 when untouched. */
        int[] slotOfRow = new int[0];
        int[] touchedRows = new int[0];
        int[] occurrences = new int[0];
        int touched;
        RowTable(Table table) {
            this.table = table;
        }

        void ensure(int rows) {
            if (rows > capacity) {
                int cap = Math.max(rows, Math.max(1024, capacity * 2));
                if ((long) cap * stride > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("the java engine's " + table + " table cannot hold " + rows
                            + " rows of " + stride + " floats in one array; use the djl engine");
                }
                data = Arrays.copyOf(data, cap * stride);
                int oldCap = slotOfRow.length;
                slotOfRow = Arrays.copyOf(slotOfRow, cap);
                Arrays.fill(slotOfRow, oldCap, cap, -1);
                capacity = cap;
            }
            if (rows > initialised) {
                float[] fresh = new float[(rows - initialised) * width];
                layout.initRows(table, initialised, rows, fresh);
                for (int r = initialised; r < rows; r++) {
                    System.arraycopy(fresh, (r - initialised) * width, data, r * stride, width);
                }
                initialised = rows;
            }
        }

        int slot(int row) {
            int s = slotOfRow[row];
            if (s < 0) {
                s = touched++;
                slotOfRow[row] = s;
                if (s == touchedRows.length) {
                    touchedRows = Arrays.copyOf(touchedRows, Math.max(1024, s * 2));
                    occurrences = Arrays.copyOf(occurrences, touchedRows.length);
                }
                touchedRows[s] = row;
                occurrences[s] = 0;
            }
            occurrences[s]++;
            return s;
        }

        void releaseSlots() {
            for (int s = 0; s < touched; s++) {
                slotOfRow[touchedRows[s]] = -1;
            }
            touched = 0;
        }
    }

    /** One thread's gradient buffers for a step: one slot per distinct row, plus the dense gradient. */
    private final class ThreadScratch {
        float[] userGradient = new float[0];
        float[] itemGradient = new float[0];
        final float[] denseGradient = new float[dense.length];
        private int userSlots;
        private int itemSlots;
        /** Per sample of this thread's range (from its first): its score, then dℓ/ds. */
        private float[] perSample = new float[0];

        /** Makes room for the step's slots; the thread clears them itself, in parallel with the others. */
        void size(int users, int items) {
            userSlots = users;
            itemSlots = items;
            userGradient = fit(userGradient, users * width);
            itemGradient = fit(itemGradient, items * width);
        }

        float[] gradient(Table table) {
            return table == Table.USERS ? userGradient : itemGradient;
        }

        private float[] fit(float[] buffer, int size) {
            return buffer.length >= size ? buffer : new float[Math.max(size, buffer.length + (buffer.length >> 1))];
        }

        /**
         * Accumulates the gradients of samples [from, to) and returns their summed loss, in three passes as the maths
         * reads: score every sample, then its loss and dℓ/ds, then scatter dℓ/ds times the other row into the slots.
         * Apart, the first pass only reads rows, so the CPU overlaps many samples' random row reads; interleaved
         * with the scatter's writes it waited on them one sample at a time (bench train, with the cheaper loss of
         * {@link Objective}: the step went from 0.52-0.61M to 0.72-0.83M positives/s; docs/architecture.md, "Two
         * engines behind one interface").
         */
        double accumulate(Samples samples, int from, int to, float inverseN) {
            Arrays.fill(userGradient, 0, userSlots * width, 0f);
            Arrays.fill(itemGradient, 0, itemSlots * width, 0f);
            Arrays.fill(denseGradient, 0f);
            int[] us = samples.users();
            int[] is = samples.items();
            float[] ys = samples.targets();
            if (perSample.length < to - from) {
                perSample = new float[Math.max(to - from, perSample.length * 2)];
            }
            float[] scoreThenGradient = perSample;
            for (int j = from; j < to; j++) {
                scoreThenGradient[j - from] = raw(us[j], is[j]);
            }
            double loss = objective.lossesToGradients(scoreThenGradient, ys, from, to - from, lo, hi, inverseN);
            float[] up = users.data;
            float[] ip = items.data;
            float[] gu = userGradient;
            float[] gi = itemGradient;
            float[] dg = denseGradient;
            for (int j = from; j < to; j++) {
                float g = scoreThenGradient[j - from];
                int uo = us[j] * stride;
                int io = is[j] * stride;
                int guo = sampleUserSlot[j] * width;
                int gio = sampleItemSlot[j] * width;
                if (gmf) {
                    kernels.weightedAxpy(g, dense, ip, io, gu, guo, d);
                    kernels.weightedAxpy(g, dense, up, uo, gi, gio, d);
                    for (int k = 0; k < d; k++) {
                        dg[k] += g * up[uo + k] * ip[io + k];
                    }
                    dg[d] += g;
                } else {
                    kernels.axpy(g, ip, io, gu, guo, d);
                    kernels.axpy(g, up, uo, gi, gio, d);
                    gu[guo + d] += g;
                    gi[gio + d] += g;
                    dg[0] += g;
                }
            }
            return loss;
        }
    }
}
