package io.streamrec.bench;

import io.streamrec.train.ModelLayout;
import io.streamrec.train.Engine;
import io.streamrec.train.TrainingListener;
import io.streamrec.train.Step;
import io.streamrec.train.Samples;
import io.streamrec.train.TrainerConfig;
import io.streamrec.contract.ModelKind;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.dataset.RatingBatch;

import io.streamrec.config.Settings;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.train.TrainerConfig.EngineKind;
import io.streamrec.train.arrays.JavaEngine;
import io.streamrec.train.djl.DjlEngine;
import io.streamrec.train.djl.TorchRuntime;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code streamrec bench train}: training throughput per model, engine and batch size on a synthetic stream, each
 * figure beside the java engine's mf at the same batch size, measured in the same run. Two figures per case:
 * <ul>
 *   <li><b>train</b>: the whole {@link OnlineTrainer#train} path (ids to rows, rated-item bookkeeping, fresh
 *       negatives, the engine's step);</li>
 *   <li><b>step</b>: {@link Engine#step} alone, on batches of samples the trainer built during the warm-up.</li>
 * </ul>
 * Positives/s counts ratings; samples/s counts positives and their negatives together. The tables are sized for
 * the whole stream before the clock starts, so every step works against full-size tables. The stream is replayed
 * in a loop when a window needs more events than it holds.
 *
 * <p>On a shared machine the load drifts, so the cases of one batch size take turns, round after round, and each
 * figure is the median of its rounds: drift hits every case alike instead of whichever happened to run during it.
 */
public final class TrainingBenchmark {
    private static final int CAPTURED_BATCHES = 8;

    /** The options of the {@code bench.train.*} settings. */
    public record Options(List<ModelKind> models, List<EngineKind> engines, int[] batchSizes, int users, int items,
                          int events, double warmUpSeconds, double seconds, int rounds) {

        public static Options from(Settings s) {
            int[] stream = integers(s, "bench.train.stream");
            if (stream.length != 3) {
                throw new IllegalArgumentException("bench.train.stream must be USERS,ITEMS,EVENTS, got "
                        + s.text("bench.train.stream"));
            }
            List<EngineKind> engines = words(s, "bench.train.engines").stream().map(w -> switch (w) {
                case "java" -> EngineKind.JAVA;
                case "djl" -> EngineKind.DJL;
                default -> throw new IllegalArgumentException("bench.train.engines: java or djl, not " + w);
            }).toList();
            Options o = new Options(words(s, "bench.train.models").stream().map(ModelKind::of).toList(), engines,
                    integers(s, "bench.train.batch-sizes"), stream[0], stream[1], stream[2],
                    s.decimal("bench.train.warm-up-seconds"), s.decimal("bench.train.seconds"),
                    s.integer("bench.train.rounds"));
            if (o.models.isEmpty() || o.engines.isEmpty() || o.batchSizes.length == 0 || o.seconds <= 0
                    || o.warmUpSeconds < 0 || o.rounds < 1 || Arrays.stream(o.batchSizes).anyMatch(b -> b <= 0)) {
                throw new IllegalArgumentException("bench train needs models, engines, positive batch sizes, a "
                        + "positive measuring time and at least one round");
            }
            return o;
        }

        private static List<String> words(Settings s, String key) {
            return Arrays.stream(s.text(key).split(",")).map(String::strip).filter(w -> !w.isEmpty())
                    .map(w -> w.toLowerCase(Locale.ROOT)).toList();
        }

        private static int[] integers(Settings s, String key) {
            try {
                return words(s, key).stream().mapToInt(w -> Integer.parseInt(w.replace("_", ""))).toArray();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be comma-separated integers, got " + s.text(key));
            }
        }
    }

    /** Throughput of one way of training. */
    public record Figures(double positivesPerSecond, double samplesPerSecond) {
    }

    /** One case: the whole trainer path and the engine's step alone, medians of the rounds. */
    public record Measurement(ModelKind model, EngineKind engine, int batchSize, Figures train, Figures step) {
    }

    private TrainingBenchmark() {
    }

    /**
     * Measures every case of the options, with the java engine's mf as the baseline at each batch size (measured
     * even when not asked for), printing each batch size's lines as soon as its rounds are done.
     */
    public static List<Measurement> run(Settings settings, PrintWriter out) {
        Options o = Options.from(settings);
        TrainerConfig base = TrainerConfig.from(settings.with("trainer.model", "mf").with("trainer.engine", "java"));
        out.printf(Locale.ROOT, "bench train: synthetic stream of %,d users x %,d items, %,d events (looped), d = %d, "
                        + "k = %d negatives, optimizer %s%n", o.users, o.items, o.events, base.dim(), base.negatives(),
                base.optimizer().id());
        out.printf(Locale.ROOT, "each case: %.1f s warm-up, then %d rounds of %.1f s per figure, the cases of a batch "
                + "size taking turns; figures are medians of the rounds%n", o.warmUpSeconds, o.rounds, o.seconds);
        try (Engine java = new JavaEngine(new ModelLayout(base))) {
            out.printf(Locale.ROOT, "machine: %d cores, load average %.2f; java engine: %s%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage(), java.description());
        }
        if (o.engines.contains(EngineKind.DJL)) {
            out.println("djl engine: " + TorchRuntime.probe().summary() + "; device "
                    + TorchRuntime.device(base.device()));
        }
        long t0 = System.nanoTime();
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(o.users, o.items, o.events, base.seed(), settings)).log();
        out.printf(Locale.ROOT, "stream generated in %.1f s%n%n", (System.nanoTime() - t0) / 1e9);
        out.printf(Locale.ROOT, "%6s  %-8s %-6s %15s %15s %8s   %15s %15s %8s%n", "batch", "model", "engine",
                "train pos/s", "train samples/s", "x java", "step pos/s", "step samples/s", "x java");
        out.flush();
        List<Measurement> all = new ArrayList<>();
        for (int batch : o.batchSizes) {
            List<Case> cases = new ArrayList<>();
            try {
                cases.add(new Case(settings, o, log, ModelKind.MF, EngineKind.JAVA, batch));
                for (ModelKind model : o.models) {
                    for (EngineKind engine : o.engines) {
                        boolean runs = engine == EngineKind.DJL || model.linear();
                        if (runs && !(model == ModelKind.MF && engine == EngineKind.JAVA)) {
                            cases.add(new Case(settings, o, log, model, engine, batch));
                        }
                    }
                }
                for (int round = 0; round < o.rounds; round++) {
                    for (Case c : cases) {
                        c.training.add(train(c.trainer, c.stream, o.seconds));
                    }
                    for (Case c : cases) {
                        c.steps.add(steps(c.engine, c.capture.batches(), batch, c.learningRate, o.seconds));
                    }
                }
                Measurement baseline = cases.get(0).result();
                for (Case c : cases) {
                    all.add(c.result());
                    print(out, c.result(), baseline);
                }
            } finally {
                for (Case c : cases) {
                    c.trainer.close();
                }
            }
        }
        out.printf(Locale.ROOT, "%nload average at the end: %.2f%n", loadAverage());
        out.flush();
        return all;
    }

    /** Trains batches for at least this long (and at least one batch). */
    private static Figures train(OnlineTrainer trainer, Stream stream, double seconds) {
        long positives = 0;
        long samplesBefore = trainer.samplesTrained();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            RatingBatch batch = stream.next();
            trainer.train(batch);
            positives += batch.size();
            now = System.nanoTime();
        } while (now < end);
        double elapsed = (now - start) / 1e9;
        return new Figures(positives / elapsed, (trainer.samplesTrained() - samplesBefore) / elapsed);
    }

    /** The engine's step alone, cycling through captured batches of samples. */
    private static Figures steps(Engine engine, List<Samples> batches, int positives, float lr, double seconds) {
        long steps = 0;
        long samples = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            Samples s = batches.get((int) (steps % batches.size()));
            engine.step(s, lr);
            steps++;
            samples += s.size();
            now = System.nanoTime();
        } while (now < end);
        double elapsed = (now - start) / 1e9;
        return new Figures(steps * positives / elapsed, samples / elapsed);
    }

    private static void print(PrintWriter out, Measurement m, Measurement baseline) {
        out.printf(Locale.ROOT, "%,6d  %-8s %-6s %,15.0f %,15.0f %7.2fx   %,15.0f %,15.0f %7.2fx%n", m.batchSize(),
                m.model().id(), m.engine().name().toLowerCase(Locale.ROOT), m.train().positivesPerSecond(),
                m.train().samplesPerSecond(), m.train().positivesPerSecond() / baseline.train().positivesPerSecond(),
                m.step().positivesPerSecond(), m.step().samplesPerSecond(),
                m.step().positivesPerSecond() / baseline.step().positivesPerSecond());
        out.flush();
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** One model on one engine at one batch size: its own trainer, warmed up, then measured round after round. */
    private static final class Case {
        final ModelKind model;
        final EngineKind engineKind;
        final int batchSize;
        final float learningRate;
        final Engine engine;
        final OnlineTrainer trainer;
        final Stream stream;
        final Capture capture = new Capture();
        final List<Figures> training = new ArrayList<>();
        final List<Figures> steps = new ArrayList<>();

        Case(Settings settings, Options o, RatingLog log, ModelKind model, EngineKind engineKind, int batchSize) {
            this.model = model;
            this.engineKind = engineKind;
            this.batchSize = batchSize;
            TrainerConfig config = TrainerConfig.from(settings.with("trainer.model", model.id())
                    .with("trainer.engine", engineKind.name().toLowerCase(Locale.ROOT))
                    .with("trainer.batch-size", batchSize));
            this.learningRate = config.learningRate();
            ModelLayout layout = new ModelLayout(config);
            this.engine = engineKind == EngineKind.JAVA ? new JavaEngine(layout)
                    : new DjlEngine(layout, TorchRuntime.device(config.device()));
            this.trainer = new OnlineTrainer(config, engine);
            this.stream = new Stream(log, batchSize);
            try {
                engine.ensureRows(o.users, o.items);
                trainer.addListener(capture);
                train(trainer, stream, o.warmUpSeconds);
                capture.active = false;
            } catch (RuntimeException e) {
                trainer.close();
                throw e;
            }
        }

        Measurement result() {
            return new Measurement(model, engineKind, batchSize, median(training), median(steps));
        }

        /** The middle round itself, not a mean of two: its figures (rate, step time) stay one round's. */
        private static Figures median(List<Figures> figures) {
            List<Figures> sorted = figures.stream().sorted(Comparator.comparingDouble(Figures::positivesPerSecond))
                    .toList();
            return sorted.get(sorted.size() / 2);
        }
    }

    /** Consecutive batches of the log, starting over at its end. */
    private static final class Stream {
        private final RatingLog log;
        private final RatingBatch batch;
        private final int size;
        private int next;

        Stream(RatingLog log, int size) {
            if (log.size() < size) {
                throw new IllegalArgumentException("the stream has " + log.size() + " events, fewer than one batch of "
                        + size);
            }
            this.log = log;
            this.size = size;
            this.batch = new RatingBatch(size);
        }

        RatingBatch next() {
            if (next + size > log.size()) {
                next = 0;
            }
            batch.fill(log, next, next + size);
            next += size;
            return batch;
        }
    }

    /** Copies of the last few batches of samples the trainer built, for measuring the step alone. */
    private static final class Capture implements TrainingListener {
        private final List<Samples> ring = new ArrayList<>();
        private long seen;
        private boolean active = true;

        @Override
        public void afterStep(Step step) {
            if (!active) {
                return;
            }
            Samples copy = ring.size() < CAPTURED_BATCHES ? new Samples() : ring.get((int) (seen % CAPTURED_BATCHES));
            copy.clear();
            Samples s = step.samples();
            for (int j = 0; j < s.size(); j++) {
                copy.add(s.users()[j], s.items()[j], s.targets()[j]);
            }
            if (ring.size() < CAPTURED_BATCHES) {
                ring.add(copy);
            }
            seen++;
        }

        List<Samples> batches() {
            return ring;
        }
    }
}
