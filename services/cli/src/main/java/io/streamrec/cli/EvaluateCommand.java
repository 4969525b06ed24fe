package io.streamrec.cli;

import io.streamrec.config.SettingsOptions;
import io.streamrec.config.Settings;
import io.streamrec.evaluate.CurvePoint;
import io.streamrec.evaluate.Evaluation;
import io.streamrec.evaluate.EvaluationConfig;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.source.RatingSource;
import io.streamrec.dataset.source.RatingSources;
import io.streamrec.report.RunReport;
import io.streamrec.train.Objective;
import io.streamrec.train.TrainerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code streamrec evaluate}: the offline and prequential protocols, baselines measured in the same run. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, modelTransformer = SettingsOptions.BrokerRefused.class,
        description = {"Evaluates a model on MovieLens or a synthetic stream, without Kafka.",
                "prequential: test-then-train in event order (HR@10, NDCG@10 against 99 sampled unrated items; "
                        + "full-catalogue recall@10 on a sample; RMSE/MAE in explicit mode); the learning curve as CSV "
                        + "and PNG, and an HTML report with the curve and this summary (--out).",
                "leave-latest-out: the NCF protocol (HR@10, NDCG@10, full-ranking recall@10).",
                "random-split: 80/20 RMSE and MAE in explicit mode.",
                "All-time and recent-window popularity are ranked on the same candidates in the same run."})
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settings;

    @Mixin
    SourceOptions source;

    @Option(names = "--protocol", split = ",", paramLabel = "NAME",
            description = "prequential, leave-latest-out, random-split (comma-separated); default: prequential plus "
                    + "leave-latest-out (implicit) or random-split (explicit).")
    List<String> protocols;

    @Option(names = "--model", paramLabel = "NAME", description = "mf, gmf, ncf-mlp or neumf (trainer.model).")
    String model;

    @Option(names = "--objective", paramLabel = "NAME", description = "implicit or explicit (trainer.objective).")
    String objective;

    @Option(names = "--engine", paramLabel = "NAME", description = "auto, java or djl (trainer.engine).")
    String engine;

    @Option(names = "--passes", paramLabel = "N", description = "Passes over the training data in the offline protocols (evaluate.passes).")
    Integer passes;

    @Option(names = "--rate", paramLabel = "N",
            description = "Prequential: ratings a second the stream arrives at, batched and replayed as the service "
                    + "would (evaluate.rate; default 2000, the demo's; 0: all at once, full batches, no replay).")
    Double rate;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the model, the sampling and the user sample (trainer.seed, data.seed).")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "streamrec-eval",
            description = "Where the learning curve goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        Map<String, Object> flags = new LinkedHashMap<>();
        source.putInto(flags);
        flags.put("trainer.model", model);
        flags.put("trainer.objective", objective);
        flags.put("trainer.engine", engine);
        flags.put("evaluate.passes", passes);
        flags.put("evaluate.rate", rate);
        flags.put("trainer.seed", seed);
        flags.put("data.seed", seed);
        settings.refuseBroker("evaluate runs without Kafka");
        Settings s = settings.load(flags);
        TrainerConfig trainer = TrainerConfig.from(s);
        Set<Evaluation.Protocol> chosen = protocols == null ? Evaluation.defaults(trainer.objective())
                : protocols.stream().map(this::protocol)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Evaluation.Protocol.class)));

        RatingSource ratings = RatingSources.fromSettings(s, System.err);
        RatingLog log = RatingLog.collect(ratings.ratings());
        // The report goes to the terminal as it is written, and into the HTML page afterwards.
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(new TeeOutputStream(System.out, report), true, StandardCharsets.UTF_8);
        EvaluationConfig evaluation = EvaluationConfig.from(s);
        List<CurvePoint> curve = new Evaluation(trainer, evaluation, s.integer("evaluate.full-ranking-users"), both)
                .run(log, ratings.name(), chosen);
        if (!curve.isEmpty()) {
            String title = "prequential " + trainer.model().id() + ", " + trainer.objective().name().toLowerCase(Locale.ROOT)
                    + ", " + ratings.name();
            boolean explicit = trainer.objective() == Objective.EXPLICIT;
            RunReport.Written files = new RunReport(title, report.toString(StandardCharsets.UTF_8), curve, explicit, evaluation.topK())
                    .write(out, explicit ? "prequential-explicit" : "prequential");
            System.out.println("  learning curve: " + files.png() + " (data " + files.csv() + "); report " + files.html());
        }
        return ExitCode.OK.code;
    }

    /** Writes to two streams. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeOutputStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }

    private Evaluation.Protocol protocol(String name) {
        try {
            return Evaluation.Protocol.valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "unknown protocol '" + name + "': expected one of "
                    + Arrays.stream(Evaluation.Protocol.values())
                    .map(p -> p.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", ")));
        }
    }
}
