package io.streamrec.train;

import io.streamrec.contract.ModelKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The shape of a model, shared by every engine so they hold the same parameters and start from the same values:
 * the width of a table row, its optimizer state, the dense tensors, and their initial values. Initial values are
 * a pure function of (seed, table, row), so engines that grow their tables at different moments still agree.
 */
public final class ModelLayout {
    private final TrainerConfig config;
    private final int width;
    private final int stateWidth;

    public ModelLayout(TrainerConfig config) {
        this.config = config;
        this.width = config.rowWidth();
        this.stateWidth = config.optimizer().stateWidth(width);
    }

    public TrainerConfig config() {
        return config;
    }

    /** Parameters per row (FACTORS.md). */
    public int width() {
        return width;
    }

    /** Optimizer-state floats per row. */
    public int stateWidth() {
        return stateWidth;
    }

    /** Writes the initial parameters of rows [from, to) of a table into {@code params}, row-major from 0. */
    public void initRows(Table table, int from, int to, float[] params) {
        int d = config.dim();
        for (int r = from; r < to; r++) {
            SplittableRandom rng = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L
                    + (table == Table.USERS ? 0x5DEECE66DL : 0xB5297A4DL) * (r + 1L));
            int off = (r - from) * width;
            int embedded = config.model().factorWidth(d, config.mlpDim());
            for (int k = 0; k < embedded; k++) {
                params[off + k] = (float) (rng.nextGaussian() * config.initStd());
            }
            if (config.model().hasBias()) {
                params[off + embedded] = 0f;
            }
        }
    }

    /**
     * The dense tensors with their initial values, in forward order. GMF's output starts at all ones, so an
     * untrained GMF ranks like a plain dot product; MLP layers use Kaiming-uniform for their ReLUs.
     */
    public Map<String, DenseTensor> initialDense() {
        Map<String, DenseTensor> dense = new LinkedHashMap<>();
        SplittableRandom rng = new SplittableRandom(config.seed() ^ 0xD1B54A32D192ED03L);
        int lastHidden = 0;
        if (config.model().hasTower()) {
            int in = 2 * config.model().towerDim(config.dim(), config.mlpDim());
            int[] layers = config.layers();
            for (int i = 0; i < layers.length; i++) {
                dense.put("mlp." + i + ".weight", uniform(new int[]{layers[i], in}, Math.sqrt(6.0 / in), rng));
                dense.put("mlp." + i + ".bias", constant(new int[]{layers[i]}, 0f));
                in = layers[i];
            }
            lastHidden = in;
        }
        switch (config.model()) {
            case MF -> dense.put("offset", constant(new int[]{1}, 0f));
            case GMF -> {
                dense.put("out.weight", constant(new int[]{1, config.dim()}, 1f));
                dense.put("out.bias", constant(new int[]{1}, 0f));
            }
            case NCF_MLP -> {
                dense.put("out.weight", uniform(new int[]{1, lastHidden}, Math.sqrt(3.0 / lastHidden), rng));
                dense.put("out.bias", constant(new int[]{1}, 0f));
            }
            case NEUMF -> {
                int n = config.dim() + lastHidden;
                DenseTensor out = uniform(new int[]{1, n}, Math.sqrt(3.0 / n), rng);
                for (int k = 0; k < config.dim(); k++) {
                    out.values()[k] = 1f;
                }
                dense.put("out.weight", out);
                dense.put("out.bias", constant(new int[]{1}, 0f));
            }
        }
        return dense;
    }

    /** The dense tensor added to every score: mf's global offset μ, the others' output bias. */
    public String outputBias() {
        return config.model() == ModelKind.MF ? "offset" : "out.bias";
    }

    /**
     * The optimizer of dense tensors: the rows' one, except that row-wise Adagrad (one accumulator per embedding
     * row) becomes plain Adagrad, since a whole weight matrix sharing one accumulator would be a poor rule.
     */
    public OptimizerKind denseOptimizer() {
        return config.optimizer() == OptimizerKind.ROWWISE_ADAGRAD ? OptimizerKind.ADAGRAD : config.optimizer();
    }

    private DenseTensor uniform(int[] shape, double bound, SplittableRandom rng) {
        DenseTensor t = constant(shape, 0f);
        for (int i = 0; i < t.values().length; i++) {
            t.values()[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return t;
    }

    private DenseTensor constant(int[] shape, float value) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return new DenseTensor(shape, v, new float[denseOptimizer().stateWidth(n)]);
    }
}
