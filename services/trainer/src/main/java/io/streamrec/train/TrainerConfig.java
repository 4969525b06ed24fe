package io.streamrec.train;

import io.streamrec.contract.ModelKind;
import io.streamrec.config.Settings;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;

import static io.streamrec.config.Settings.require;

/**
 * Everything that defines a model and how it learns, read from the {@code trainer.*} settings (documented in
 * config/streamrec.properties).
 *
 * @param dim              embedding size d (GMF part for neumf)
 * @param mlpDim           embedding size of the MLP tower's input for neumf
 * @param layers           hidden sizes of the MLP tower (ncf-mlp, neumf)
 * @param negatives        fresh negatives drawn per positive (implicit objective)
 * @param negativeRatio    explicit objective: zero-rated negatives per positive (may be fractional)
 * @param popularityAlpha  negatives drawn by popularity^alpha when {@code popularityNegatives}, else uniformly
 * @param negativePool     pool slots a mini-batch's negatives are drawn among, each filled afresh for the batch (0:
 *                         each from the whole catalogue); each negative still follows the catalogue's distribution
 * @param ratingMin        explicit objective: lower end of the sigmoid-scaled prediction range
 * @param ratingMax        explicit objective: upper end of the prediction range
 * @param l2               L2 penalty per sample occurrence on the rows it touches: λ·(‖u‖² + ‖v‖²)
 * @param factorDecay      Adagrad: a row's factors' accumulated squared gradients are multiplied by this at each
 *                         step before the new ones are added (1 = classic Adagrad)
 * @param biasDecay        Adagrad: the same for the row biases (mf)
 * @param biasLrScale      Adagrad: the row biases' learning rate as a multiple of {@code learningRate} (mf)
 * @param adagradState     Adagrad: the precision a row's factors' accumulated squared gradients are kept in
 * @param batchMaxWaitMs   a streamed mini-batch is cut at batchSize ratings or this long after its first, whichever
 *                         comes first (the service's intake, and prequential evaluation that mirrors it)
 * @param replay           continual training on history
 */
public record TrainerConfig(ModelKind model, Objective objective, EngineKind engine, DeviceKind device,
                            int dim, int mlpDim, int[] layers, float dropout,
                            int negatives, float negativeRatio, boolean popularityNegatives, float popularityAlpha,
                            int negativePool, float ratingMin, float ratingMax,
                            OptimizerKind optimizer, float learningRate, float l2, float factorDecay, float biasDecay,
                            float biasLrScale, AdagradState adagradState, float initStd,
                            LearningRateSchedule.Kind schedule, long scheduleStepEvents, float scheduleFactor,
                            int schedulePatience, float minLearningRate,
                            int threads, int batchSize, long batchMaxWaitMs, ReplayConfig replay, long seed) {

    /** A pool larger than any catalogue this trainer holds in one array would only cost memory. */
    private static final int MAX_NEGATIVE_POOL = 1 << 24;
    /** {@code trainer.negative-pool=auto} for the linear models. */
    private static final int LINEAR_NEGATIVE_POOL = 2048;

    public enum EngineKind { AUTO, JAVA, DJL }

    public enum DeviceKind { AUTO, CPU, GPU }

    /**
     * What a table row's Adagrad factor accumulators hold: float32 values, or values rounded to bfloat16 after every
     * step (to nearest, ties to even), which the java engine stores in 16 bits: a quarter less memory a row for the
     * step to move, with the same ranking quality (docs/architecture.md, "Two engines behind one interface"). mf's
     * bias keeps a float32 accumulator either way.
     */
    public enum AdagradState { FLOAT32, BFLOAT16 }

    public static TrainerConfig from(Settings s) {
        Objective objective = s.choice("trainer.objective", Objective.class);
        ModelKind model = ModelKind.of(s.text("trainer.model"));
        return new TrainerConfig(
                model,
                objective,
                s.choice("trainer.engine", EngineKind.class),
                s.choice("trainer.device", DeviceKind.class),
                positive(s, "trainer.dim"),
                positive(s, "trainer.mlp-dim"),
                Arrays.stream(s.text("trainer.layers").split(",")).map(String::strip).filter(x -> !x.isEmpty())
                        .mapToInt(Integer::parseInt).toArray(),
                ranged(s, "trainer.dropout", v -> v >= 0 && v < 1, "in [0, 1)"),
                atLeastZero(s, "trainer.negatives"),
                ranged(s, "trainer.explicit-negative-ratio", v -> v >= 0, "at least 0"),
                s.text("trainer.negative-sampler").equals("popularity"),
                (float) s.decimal("trainer.popularity-alpha"),
                negativePool(s, model),
                (float) s.decimal("trainer.rating-min"),
                (float) s.decimal("trainer.rating-max"),
                s.choice(byObjective(s, objective, "optimizer"), OptimizerKind.class),
                ranged(s, byObjective(s, objective, "learning-rate"), v -> v > 0, "positive"),
                ranged(s, byObjective(s, objective, "l2"), v -> v >= 0, "at least 0"),
                ranged(s, byObjective(s, objective, "factor-decay"), v -> v > 0 && v <= 1, "in (0, 1]"),
                ranged(s, byObjective(s, objective, "bias-decay"), v -> v > 0 && v <= 1, "in (0, 1]"),
                ranged(s, byObjective(s, objective, "bias-lr-scale"), v -> v > 0, "positive"),
                s.choice("trainer.adagrad-state", AdagradState.class),
                ranged(s, byObjective(s, objective, "init-std"), v -> v >= 0, "at least 0"),
                s.choice("trainer.lr-schedule", LearningRateSchedule.Kind.class),
                s.longInteger("trainer.lr-step-events"),
                (float) s.decimal("trainer.lr-factor"),
                s.integer("trainer.lr-patience"),
                (float) s.decimal("trainer.lr-min"),
                positive(s, "trainer.threads"),
                positive(s, byObjective(s, objective, "batch-size")),
                atLeastZeroLong(s, byObjective(s, objective, "batch-max-wait-ms")),
                ReplayConfig.from(s),
                s.longInteger("trainer.seed")).validated();
    }

    /** The checks across settings; each setting's own range is checked as it is read, naming its key. */
    private TrainerConfig validated() {
        require(ratingMax > ratingMin, "trainer.rating-max (" + ratingMax + ") must be above trainer.rating-min ("
                + ratingMin + ")");
        if (model.hasTower() && layers.length == 0) {
            throw new IllegalArgumentException("trainer.layers must name at least one hidden layer for " + model.id());
        }
        if (engine == EngineKind.JAVA && !model.linear()) {
            throw new IllegalArgumentException("trainer.engine=java runs mf and gmf; use djl or auto for " + model.id());
        }
        return this;
    }

    /**
     * The key to read for an option whose default depends on the objective: trainer.explicit.OPTION for explicit
     * ratings unless trainer.OPTION was set (by a profile, a file, the environment or a flag), else trainer.OPTION.
     */
    private static String byObjective(Settings s, Objective objective, String option) {
        String key = "trainer." + option;
        return objective == Objective.EXPLICIT && s.isDefault(key) ? "trainer.explicit." + option : key;
    }

    /**
     * {@code trainer.negative-pool}: a size, or {@code auto}: 2,048 for the linear models, whose java step is bound by
     * the rows it touches, and 0 for the towers, whose ranking the pool cost (ncf-mlp leave-latest-out HR@10 0.669-0.680
     * against 0.692-0.702 on ml-latest-small) while their djl step gains little from fewer rows.
     */
    private static int negativePool(Settings s, ModelKind model) {
        String key = "trainer.negative-pool";
        if (s.text(key).equals("auto")) {
            return model.linear() ? LINEAR_NEGATIVE_POOL : 0;
        }
        int size = s.integer(key);
        require(size >= 0 && size <= MAX_NEGATIVE_POOL, key + " must be auto or in [0, " + MAX_NEGATIVE_POOL + "], got "
                + size);
        return size;
    }

    /** A decimal setting, as a float, checked against its range ({@code range} says it in words). */
    private static float ranged(Settings s, String key, DoublePredicate ok, String range) {
        double v = s.decimal(key);
        require(ok.test(v), key + " must be " + range + ", got " + v);
        return (float) v;
    }

    private static int atLeastZero(Settings s, String key) {
        int v = s.integer(key);
        require(v >= 0, key + " must be at least 0, got " + v);
        return v;
    }

    private static long atLeastZeroLong(Settings s, String key) {
        long v = s.longInteger(key);
        require(v >= 0, key + " must be at least 0, got " + v);
        return v;
    }

    private static int positive(Settings s, String key) {
        int v = s.integer(key);
        require(v > 0, key + " must be positive, got " + v);
        return v;
    }

    /** The same configuration with another seed. */
    public TrainerConfig withSeed(long newSeed) {
        return new TrainerConfig(model, objective, engine, device, dim, mlpDim, layers, dropout, negatives,
                negativeRatio, popularityNegatives, popularityAlpha, negativePool, ratingMin, ratingMax, optimizer,
                learningRate, l2, factorDecay, biasDecay, biasLrScale, adagradState, initStd, schedule, scheduleStepEvents, scheduleFactor, schedulePatience,
                minLearningRate, threads, batchSize, batchMaxWaitMs, replay, newSeed);
    }

    /** Floats of one row's parameters (FACTORS.md): factors, plus the bias for mf. */
    public int rowWidth() {
        return model.rowWidth(dim, mlpDim);
    }

    /** Whether table rows' Adagrad factor accumulators are rounded to bfloat16 after every step. */
    public boolean roundsAccumulators() {
        return optimizer == OptimizerKind.ADAGRAD && adagradState == AdagradState.BFLOAT16;
    }

    /** The manifest's {@code config} (FACTORS.md): what a scorer or a resumed trainer needs to interpret rows. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.id());
        m.put("objective", objective.name().toLowerCase(java.util.Locale.ROOT));
        m.put("dim", dim);
        if (model == ModelKind.NEUMF) {
            m.put("mlpDim", mlpDim);
        }
        if (model.hasTower()) {
            m.put("layers", Arrays.stream(layers).boxed().toList());
            m.put("dropout", dropout);
        }
        m.put("ratingRange", List.of(ratingMin, ratingMax));
        m.put("optimizer", optimizer.id());
        m.put("learningRate", learningRate);
        m.put("l2", l2);
        m.put("factorDecay", factorDecay);
        m.put("biasDecay", biasDecay);
        m.put("biasLrScale", biasLrScale);
        m.put("negatives", objective == Objective.IMPLICIT ? negatives : negativeRatio);
        m.put("negativeSampler", popularityNegatives ? "popularity^" + popularityAlpha : "uniform");
        m.put("negativePool", negativePool);
        return m;
    }
}
