package io.streamrec.train.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
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

/**
 * The DJL/PyTorch engine: every model, on the CPU or a GPU. The tables and their optimizer state live on the device
 * as NDArrays; a step costs what the batch touches, never what the tables hold:
 * <ol>
 *   <li>in Java, give each distinct user and item row of the batch a slot (duplicates share one);</li>
 *   <li>gather the slots' rows (parameters and state) into a batch manager, the parameters as a leaf that
 *       collects gradients;</li>
 *   <li>under the gradient collector, gather each sample's rows from the slots, run the model, take the mean
 *       {@link Objective} loss and its backward pass (which sums the gradients of duplicate rows);</li>
 *   <li>add L2, apply {@link DeviceOptimizer} to the slots' rows and state, write them back once each; update the
 *       dense tensors in place.</li>
 * </ol>
 * The maths are the {@link io.streamrec.train.arrays.JavaEngine}'s: same loss, same L2, same optimizer formulas,
 * same initial values ({@link ModelLayout}), so the two agree on mf and gmf up to float summation order.
 *
 * <p>Memory: every operation runs in a {@link Batch}, a sub-manager closed at its end. DJL attaches an op's result to
 * the manager of its first operand, so an op on a table inside a plain sub-manager would land in the engine's
 * manager and live as long as the engine (docs/findings.md: 3 GB leaked in 300 steps that way). The batch therefore
 * temporarily attaches every persistent array to itself: whatever the operand order, results belong to the batch,
 * and closing it hands the persistent arrays back.
 *
 * <p>Not thread-safe, and one step at a time per process: PyTorch's gradient collector is a global flag.
 */
public final class DjlEngine implements Engine {
    /** Pairs per native call in {@link #score} and {@link #loss}. */
    private static final int PAIRS_PER_CALL = 1 << 16;
    /** Floats of the largest intermediate (users × items × hidden units) in one {@link #scoreAll} call. */
    private static final long SCORE_ALL_FLOATS = 1L << 23;

    private final ModelLayout layout;
    private final TrainerConfig config;
    private final ModelKind model;
    private final int dim;
    private final Device device;
    private final ai.djl.engine.Engine torch;
    private final NDManager root;
    private final Staging staging = new Staging();
    private final DeviceTable users;
    private final DeviceTable items;
    private final List<DenseParam> dense = new ArrayList<>();
    private final OptimizerKind denseOptimizer;
    private final DeviceOptimizer.Constants constants;
    private final DeviceOptimizer rowRule;
    private final DeviceOptimizer denseRule;
    private final NDArray ratingMin;
    private final NDArray ratingRange;
    private final NDArray rowWidth;
    private final NDIndex gmfPart;
    private final NDIndex mlpPart;
    private final NDIndex biasColumn;
    private int denseSteps;
    private boolean closed;

    public DjlEngine(ModelLayout layout, Device device) {
        this.layout = layout;
        this.config = layout.config();
        this.model = config.model();
        this.dim = config.dim();
        this.device = device;
        this.torch = TorchRuntime.engine();
        this.root = torch.newBaseManager(device);
        if (config.dropout() > 0) {
            // Dropout masks come from libtorch's global generator; seeding it makes a run repeatable.
            torch.setRandomSeed((int) config.seed());
        }
        this.constants = new DeviceOptimizer.Constants(root.create(OptimizerKind.EPSILON),
                root.create(OptimizerKind.BETA1), root.create(1 - OptimizerKind.BETA1),
                root.create(OptimizerKind.BETA2), root.create(1 - OptimizerKind.BETA2),
                root.create(OptimizerKind.BFLOAT16_SPLITTER));
        this.rowRule = new DeviceOptimizer(config.optimizer(), constants, decayColumns(root, layout),
                rateScaleColumns(root, layout), bfloat16Columns(root, layout));
        this.denseOptimizer = layout.denseOptimizer();
        this.denseRule = new DeviceOptimizer(denseOptimizer, constants);
        this.ratingMin = root.create(config.ratingMin());
        this.ratingRange = root.create(config.ratingMax() - config.ratingMin());
        this.rowWidth = root.create((float) layout.width());
        this.gmfPart = new NDIndex().addAllDim().addSliceDim(0, dim);
        this.mlpPart = new NDIndex().addAllDim().addSliceDim(dim, layout.width());
        this.biasColumn = new NDIndex().addAllDim().addIndices(dim);
        this.users = new DeviceTable(Table.USERS, layout, root, staging);
        this.items = new DeviceTable(Table.ITEMS, layout, root, staging);
        for (Map.Entry<String, DenseTensor> e : layout.initialDense().entrySet()) {
            dense.add(new DenseParam(e.getKey(), e.getValue()));
        }
    }

    /**
     * Adagrad's decay per column of a row: {@code trainer.factor-decay} for the factors, {@code trainer.bias-decay}
     * for mf's bias, as the java engine does; null when every column is classic Adagrad.
     */
    private static NDArray decayColumns(NDManager root, ModelLayout layout) {
        TrainerConfig c = layout.config();
        int factors = c.model().factorWidth(c.dim(), c.mlpDim());
        boolean biasDecays = factors < layout.width() && c.biasDecay() != 1f;
        if (c.optimizer() != OptimizerKind.ADAGRAD || c.factorDecay() == 1f && !biasDecays) {
            return null;
        }
        float[] decay = new float[layout.width()];
        java.util.Arrays.fill(decay, 0, factors, c.factorDecay());
        java.util.Arrays.fill(decay, factors, decay.length, c.biasDecay());
        return root.create(decay);
    }

    /**
     * Adagrad's accumulators kept to bfloat16 per column ({@code trainer.adagrad-state}): 1 for the factors, 0 for
     * mf's bias, as the java engine does; null when none is.
     */
    private static NDArray bfloat16Columns(NDManager root, ModelLayout layout) {
        TrainerConfig c = layout.config();
        if (!c.roundsAccumulators()) {
            return null;
        }
        float[] columns = new float[layout.width()];
        java.util.Arrays.fill(columns, 0, c.model().factorWidth(c.dim(), c.mlpDim()), 1f);
        return root.create(columns);
    }

    /** Adagrad's learning-rate multiple per column: 1 for the factors, {@code trainer.bias-lr-scale} for mf's bias. */
    private static NDArray rateScaleColumns(NDManager root, ModelLayout layout) {
        TrainerConfig c = layout.config();
        int factors = c.model().factorWidth(c.dim(), c.mlpDim());
        if (c.optimizer() != OptimizerKind.ADAGRAD || factors == layout.width() || c.biasLrScale() == 1f) {
            return null;
        }
        float[] scale = new float[layout.width()];
        java.util.Arrays.fill(scale, 0, factors, 1f);
        java.util.Arrays.fill(scale, factors, scale.length, c.biasLrScale());
        return root.create(scale);
    }

    @Override
    public String description() {
        TorchRuntime runtime = TorchRuntime.probe();
        return "djl on " + device + " (DJL " + runtime.djlVersion() + ", libtorch " + runtime.libtorchVersion() + " "
                + runtime.flavour() + ", " + runtime.intraOpThreads() + " intra-op thread"
                + (runtime.intraOpThreads() == 1 ? ")" : "s)");
    }

    @Override
    public ModelLayout layout() {
        return layout;
    }

    public Device device() {
        return device;
    }

    @Override
    public void ensureRows(int userRows, int itemRows) {
        checkOpen();
        users.ensure(userRows);
        items.ensure(itemRows);
    }

    @Override
    public float step(Samples samples, float learningRate) {
        int n = samples.size();
        if (n == 0) {
            return 0f;
        }
        users.assignSlots(samples.users(), n);
        try {
            items.assignSlots(samples.items(), n);
        } catch (RuntimeException e) {
            users.releaseSlots();
            throw e;
        }
        try (Batch batch = new Batch()) {
            NDManager m = batch.manager;
            DeviceTable.Slots u = users.gatherSlots(m);
            DeviceTable.Slots i = items.gatherSlots(m);
            NDArray userOfSample = staging.rows(m, users.sampleSlots, 0, n);
            NDArray itemOfSample = staging.rows(m, items.sampleSlots, 0, n);
            NDArray targets = staging.floats(m, samples.targets(), 0, new Shape(n));
            List<NDArray> weights = new ArrayList<>(dense.size());
            for (DenseParam p : dense) {
                NDArray leaf = p.value.duplicate();
                leaf.setRequiresGradient(true);
                weights.add(leaf);
            }
            NDArray loss;
            try (GradientCollector collector = torch.newGradientCollector()) {
                NDArray s = forward(u.params(), userOfSample, i.params(), itemOfSample, weights, true);
                loss = sampleLosses(s, targets).mean();
                collector.backward(loss);
            }
            NDArray lr = staging.scalar(m, learningRate);
            float inverseN = 1f / n;
            users.update(m, u, rowRule, learningRate, config.l2(), inverseN, lr, rowWidth);
            items.update(m, i, rowRule, learningRate, config.l2(), inverseN, lr, rowWidth);
            updateDense(m, weights, learningRate, lr);
            return loss.getFloat();
        } finally {
            users.releaseSlots();
            items.releaseSlots();
        }
    }

    @Override
    public float loss(Samples samples) {
        int n = samples.size();
        if (n == 0) {
            return 0f;
        }
        double sum = 0;
        for (int from = 0; from < n; from += PAIRS_PER_CALL) {
            int count = Math.min(PAIRS_PER_CALL, n - from);
            try (Batch batch = new Batch()) {
                NDManager m = batch.manager;
                NDArray s = forward(users.params(m), users.index(m, samples.users(), from, count), items.params(m),
                        items.index(m, samples.items(), from, count), values(), false);
                sum += sampleLosses(s, staging.floats(m, samples.targets(), from, new Shape(count))).sum().getFloat();
            }
        }
        return (float) (sum / n);
    }

    @Override
    public void score(int[] userRows, int[] itemRows, int n, float[] out) {
        for (int from = 0; from < n; from += PAIRS_PER_CALL) {
            int count = Math.min(PAIRS_PER_CALL, n - from);
            try (Batch batch = new Batch()) {
                NDManager m = batch.manager;
                NDArray s = forward(users.params(m), users.index(m, userRows, from, count), items.params(m),
                        items.index(m, itemRows, from, count), values(), false);
                System.arraycopy(s.toFloatArray(), 0, out, from, count);
            }
        }
    }

    @Override
    public void scoreAll(int[] userRows, int n, int itemCount, float[] out) {
        if (itemCount > items.rows()) {
            throw new IllegalArgumentException("scoring " + itemCount + " items, the table has " + items.rows());
        }
        if (n == 0 || itemCount == 0) {
            return;
        }
        long perUser = (long) itemCount * Math.max(layout.width(), config.layers().length > 0 ? config.layers()[0] : 0);
        int chunk = (int) Math.max(1, Math.min(n, SCORE_ALL_FLOATS / perUser));
        for (int from = 0; from < n; from += chunk) {
            int count = Math.min(chunk, n - from);
            try (Batch batch = new Batch()) {
                NDManager m = batch.manager;
                NDArray u = DeviceTable.gather(users.params(m), users.index(m, userRows, from, count));
                NDArray v = items.params(m).get(new NDIndex().addSliceDim(0, itemCount));
                NDArray s = scoreMatrix(u, v, values());
                System.arraycopy(s.toFloatArray(), 0, out, from * itemCount, count * itemCount);
            }
        }
    }

    @Override
    public void exportRows(Table table, int[] rows, int n, float[] params, float[] state) {
        if (n == 0) {
            return;
        }
        try (Batch batch = new Batch()) {
            table(table).export(batch.manager, rows, n, params, state);
        }
    }

    @Override
    public void importRows(Table table, int[] rows, int n, float[] params, float[] state) {
        checkOpen();
        table(table).importRows(rows, n, params, state);
    }

    @Override
    @SuppressWarnings("try") // the batch only scopes temporaries: reading a GPU array copies it through the host
    public Map<String, DenseTensor> exportDense() {
        Map<String, DenseTensor> out = new LinkedHashMap<>();
        try (Batch batch = new Batch()) {
            for (DenseParam p : dense) {
                float[] values = p.value.toFloatArray();
                float[] state = new float[denseOptimizer.stateWidth(p.size)];
                int[] moments = denseOptimizer.momentOffsets(p.size);
                for (int k = 0; k < moments.length; k++) {
                    System.arraycopy(p.moment(k).toFloatArray(), 0, state, moments[k], p.size);
                }
                if (denseOptimizer.countsSteps()) {
                    denseOptimizer.setSteps(state, 0, p.size, denseSteps);
                }
                out.put(p.name, new DenseTensor(p.shape.clone(), values, state));
            }
        }
        return out;
    }

    /**
     * Replaces the dense tensors, matched by name. A tensor without optimizer state (or with state of the wrong
     * size) starts its state from zero, as the Java engine does.
     */
    @Override
    @SuppressWarnings("try") // the batch only scopes temporaries
    public void importDense(Map<String, DenseTensor> tensors) {
        for (String name : tensors.keySet()) {
            if (dense.stream().noneMatch(p -> p.name.equals(name))) {
                throw new IllegalArgumentException("dense tensor '" + name + "' is not part of " + model.id());
            }
        }
        for (DenseParam p : dense) {
            DenseTensor t = tensors.get(p.name);
            if (t == null || t.values().length != p.size) {
                throw new IllegalArgumentException("dense tensor '" + p.name + "' needs " + p.size + " values, got "
                        + (t == null ? "none" : t.values().length));
            }
        }
        int steps = 0;
        try (Batch batch = new Batch()) {
            for (DenseParam p : dense) {
                DenseTensor t = tensors.get(p.name);
                p.value.set(t.values());
                float[] s = t.state();
                boolean present = s != null && s.length == denseOptimizer.stateWidth(p.size);
                int[] moments = denseOptimizer.momentOffsets(p.size);
                for (int k = 0; k < moments.length; k++) {
                    p.moment(k).set(present ? Arrays.copyOfRange(s, moments[k], moments[k] + p.size) : new float[p.size]);
                }
                if (present && denseOptimizer.countsSteps()) {
                    steps = denseOptimizer.steps(s, 0, p.size);
                }
            }
        }
        denseSteps = steps;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            root.close();
        }
    }

    /** Arrays the engine's manager holds: tables, state, dense tensors, constants. For leak checks. */
    int liveArrays() {
        return root.getManagedArrays().size();
    }

    private DeviceTable table(Table table) {
        return table == Table.USERS ? users : items;
    }

    private List<NDArray> values() {
        List<NDArray> out = new ArrayList<>(dense.size());
        for (DenseParam p : dense) {
            out.add(p.value);
        }
        return out;
    }

    /**
     * Raw scores s of pairs: user row {@code userRows[u[j]]} with item row {@code itemRows[v[j]]}, the dense weights in
     * {@link ModelLayout#initialDense} order. FACTORS.md's scoring, with PyTorch's Linear convention. The rows come
     * from the step's slots or from the whole tables.
     */
    private NDArray forward(NDArray userRows, NDArray u, NDArray itemRows, NDArray v, List<NDArray> w, boolean training) {
        return switch (model) {
            case MF -> pick(userRows, gmfPart, u).mul(pick(itemRows, gmfPart, v)).sum(new int[]{1})
                    .add(pick(userRows, biasColumn, u)).add(pick(itemRows, biasColumn, v)).add(w.get(0));
            case GMF -> linear(pick(userRows, null, u).mul(pick(itemRows, null, v)), w.get(0), w.get(1)).reshape(-1);
            case NCF_MLP -> {
                NDArray x = tower(pick(userRows, null, u).concat(pick(itemRows, null, v), 1), w, training);
                yield linear(x, outWeight(w), outBias(w)).reshape(-1);
            }
            case NEUMF -> {
                NDArray gmf = pick(userRows, gmfPart, u).mul(pick(itemRows, gmfPart, v));
                NDArray mlp = tower(pick(userRows, mlpPart, u).concat(pick(itemRows, mlpPart, v), 1), w, training);
                yield linear(gmf.concat(mlp, 1), outWeight(w), outBias(w)).reshape(-1);
            }
        };
    }

    /**
     * One row per sample of a part of the rows (a column range or the bias column; null for whole rows). The part
     * is cut before the per-sample gather: slicing the gathered rows instead costs the backward pass a zero-filled
     * copy of every sample's row per slice (measured: a third of mf's forward and backward).
     */
    private static NDArray pick(NDArray rows, NDIndex part, NDArray index) {
        return (part == null ? rows : rows.get(part)).get(new NDIndex("{}", index));
    }

    /** The MLP tower: Linear + ReLU per hidden layer, with dropout after each while training. */
    private NDArray tower(NDArray x, List<NDArray> w, boolean training) {
        for (int i = 0; i < config.layers().length; i++) {
            x = Activation.relu(linear(x, w.get(2 * i), w.get(2 * i + 1)));
            if (training && config.dropout() > 0) {
                x = x.getNDArrayInternal().dropout(x, config.dropout(), true).singletonOrThrow();
            }
        }
        return x;
    }

    /**
     * Scores of users u ({@code [c, width]}) against item rows v ({@code [I, width]}) as a {@code [c, I]} matrix,
     * without building c·I pairs of rows: dot products become one matrix product, and the tower's first layer
     * splits into a user part and an item part added by broadcasting ({@code W₁·[p; q] = W₁ᵖ·p + W₁ᵠ·q}).
     */
    private NDArray scoreMatrix(NDArray u, NDArray v, List<NDArray> w) {
        long c = u.getShape().get(0);
        long itemCount = v.getShape().get(0);
        return switch (model) {
            case MF -> u.get(gmfPart).matMul(v.get(gmfPart).transpose())
                    .add(u.get(biasColumn).reshape(c, 1)).add(v.get(biasColumn).reshape(1, itemCount)).add(w.get(0));
            case GMF -> u.mul(w.get(0)).matMul(v.transpose()).add(w.get(1));
            case NCF_MLP -> linear(pairTower(u, v, w), outWeight(w), outBias(w)).reshape(c, itemCount);
            case NEUMF -> {
                NDArray out = outWeight(w);
                NDArray gmfWeight = out.get(new NDIndex().addAllDim().addSliceDim(0, dim));
                NDArray mlpWeight = out.get(new NDIndex().addAllDim().addSliceDim(dim, out.getShape().get(1)));
                NDArray gmf = u.get(gmfPart).mul(gmfWeight).matMul(v.get(gmfPart).transpose());
                NDArray mlp = linear(pairTower(u.get(mlpPart), v.get(mlpPart), w), mlpWeight, outBias(w));
                yield mlp.reshape(c, itemCount).add(gmf);
            }
        };
    }

    /** The tower's output for every (user, item) pair, {@code [c·I, last hidden]}, users major. */
    private NDArray pairTower(NDArray p, NDArray q, List<NDArray> w) {
        long c = p.getShape().get(0);
        long itemCount = q.getShape().get(0);
        long half = p.getShape().get(1);
        NDArray first = w.get(0);
        NDArray userPart = linear(p, first.get(new NDIndex().addAllDim().addSliceDim(0, half)), w.get(1));
        NDArray itemPart = q.matMul(first.get(new NDIndex().addAllDim().addSliceDim(half, 2 * half)).transpose());
        long hidden = first.getShape().get(0);
        NDArray x = Activation.relu(userPart.reshape(c, 1, hidden).add(itemPart.reshape(1, itemCount, hidden)))
                .reshape(c * itemCount, hidden);
        for (int i = 1; i < config.layers().length; i++) {
            x = Activation.relu(linear(x, w.get(2 * i), w.get(2 * i + 1)));
        }
        return x;
    }

    /** The output layer's weight: the last but one dense tensor (gmf, ncf-mlp, neumf). */
    private static NDArray outWeight(List<NDArray> w) {
        return w.get(w.size() - 2);
    }

    private static NDArray outBias(List<NDArray> w) {
        return w.get(w.size() - 1);
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    /** {@link Objective#loss} per sample: BCE on the logit (softplus(s) − y·s), or (lo + (hi − lo)·σ(s) − y)². */
    private NDArray sampleLosses(NDArray s, NDArray y) {
        if (config.objective() == Objective.IMPLICIT) {
            return Activation.softPlus(s).sub(s.mul(y));
        }
        NDArray e = Activation.sigmoid(s).mul(ratingRange).add(ratingMin).sub(y);
        return e.mul(e);
    }

    private void updateDense(NDManager m, List<NDArray> leaves, float learningRate, NDArray lr) {
        NDArray rate = lr;
        NDArray epsHat = null;
        if (denseOptimizer == OptimizerKind.ADAM) {
            denseSteps++;
            rate = staging.scalar(m, DeviceOptimizer.adamStepSize(learningRate, denseSteps));
            epsHat = staging.scalar(m, DeviceOptimizer.adamEpsilon(denseSteps));
        }
        for (int k = 0; k < dense.size(); k++) {
            DenseParam p = dense.get(k);
            denseRule.apply(p.value, leaves.get(k).getGradient(), p.first, p.second, rate, epsHat, rowWidth);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the djl engine is closed");
        }
    }

    /** Every array the engine keeps between operations. */
    private List<NDArray> persistent() {
        List<NDArray> out = new ArrayList<>(List.of(users.rows, items.rows, ratingMin, ratingRange, rowWidth,
                constants.epsilon(), constants.beta1(), constants.oneMinusBeta1(), constants.beta2(),
                constants.oneMinusBeta2()));
        for (DenseParam p : dense) {
            out.add(p.value);
            if (p.first != null) {
                out.add(p.first);
            }
            if (p.second != null) {
                out.add(p.second);
            }
        }
        return out;
    }

    /**
     * One operation's scope: a sub-manager that owns every array the operation creates, the persistent arrays
     * temporarily attached to it (see the class comment), and a fresh staging area.
     */
    private final class Batch implements AutoCloseable {
        final NDManager manager;

        Batch() {
            checkOpen();
            manager = root.newSubManager();
            staging.reset();
            for (NDArray a : persistent()) {
                a.tempAttach(manager);
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** A dense tensor on the device with its optimizer state (Adagrad: first; Adam: first and second moments). */
    private final class DenseParam {
        final String name;
        final int[] shape;
        final int size;
        final NDArray value;
        final NDArray first;
        final NDArray second;

        DenseParam(String name, DenseTensor initial) {
            this.name = name;
            this.shape = initial.shape().clone();
            this.size = initial.size();
            Shape s = new Shape(Arrays.stream(shape).asLongStream().toArray());
            this.value = root.create(initial.values(), s);
            int moments = denseOptimizer.momentOffsets(size).length;
            this.first = moments > 0 ? root.zeros(s) : null;
            this.second = moments > 1 ? root.zeros(s) : null;
        }

        /** The k-th moment vector, in {@link OptimizerKind#momentOffsets} order. */
        NDArray moment(int k) {
            return k == 0 ? first : second;
        }
    }
}
