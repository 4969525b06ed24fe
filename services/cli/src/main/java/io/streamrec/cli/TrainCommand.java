package io.streamrec.cli;

import io.streamrec.config.Settings;
import io.streamrec.config.SettingsOptions;
import io.streamrec.evaluate.CurvePoint;
import io.streamrec.evaluate.PrequentialEvaluator;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.Metrics;
import io.streamrec.stream.StreamingConfig;
import io.streamrec.stream.StreamingTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamrec train}: the streaming trainer, until Ctrl-C. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Consumes 'ratings', trains the model continuously, and publishes versioned snapshots "
                + "(changed factor rows + manifest + consumed offsets in one Kafka transaction).",
                "On start it rebuilds the model from the topics and resumes from the committed offsets. "
                        + "Invalid ratings go to 'ratings-dlq' with the reason. Ctrl-C publishes a final snapshot."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--model", paramLabel = "NAME", description = "mf, gmf, ncf-mlp or neumf (trainer.model).")
    String model;

    @Option(names = "--engine", paramLabel = "NAME", description = "auto, java or djl (trainer.engine).")
    String engine;

    @Option(names = "--device", paramLabel = "NAME", description = "auto, cpu or gpu (trainer.device).")
    String device;

    @Mixin
    MetricsPortOption metricsPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("trainer.model", model);
        flags.put("trainer.engine", engine);
        flags.put("trainer.device", device);
        metricsPort.putInto(flags);
        Settings s = settings.load(flags);
        PrintWriter out = spec.commandLine().getOut();
        int topK = StreamingConfig.from(s).prequential().topK(); // a value out of range is named first, even when no broker runs
        Metrics.port(s);
        TopicAdmin.requireBroker(s); // before the metrics server logs its address: no broker, one line
        try (Metrics metrics = Metrics.start(s, "streamrec-trainer")) {
            StreamingTrainer trainer = StreamingTrainer.start(s, metrics.registry());
            metrics.healthCheck("trainer", trainer::problems);
            Runtime.getRuntime().addShutdownHook(new Thread(trainer::close, "trainer-shutdown"));
            out.printf("training %s on %s from %s; metrics at %s%n", s.text("trainer.model"),
                    trainer.engineDescription(), s.text("kafka.bootstrap.servers"),
                    metrics.port() < 0 ? "(off)" : "http://" + s.text("metrics.host") + ":" + metrics.port() + "/metrics");
            long lastEvents = trainer.eventsTrained();
            long lastNanos = System.nanoTime();
            while (trainer.isRunning()) {
                Thread.sleep(5000);
                long events = trainer.eventsTrained();
                long now = System.nanoTime();
                CurvePoint p = trainer.prequential();
                // The window ranks a sample of the ratings (trainer.prequential-sample-rate): none yet, nothing to say.
                long deadLetters = trainer.eventsDeadLettered();
                out.printf(Locale.ROOT, "v%d  %,d events trained  %,.0f/s  prequential HR@%d %s%s%n",
                        trainer.snapshotVersion(), events, (events - lastEvents) / ((now - lastNanos) / 1e9), topK,
                        Double.isNaN(p.hitRate()) ? PrequentialEvaluator.NONE_RANKED
                                : String.format(Locale.ROOT, "%.3f (popularity %.3f)", p.hitRate(), p.popularityHitRate()),
                        deadLetters == 0 ? "" : String.format(Locale.ROOT, "  %,d dead letters since start (ratings-dlq)", deadLetters));
                out.flush();
                lastEvents = events;
                lastNanos = now;
            }
            if (trainer.failure() != null) {
                spec.commandLine().getErr().println("streamrec train: " + trainer.failure().getMessage());
                return ExitCode.FAILED.code;
            }
            return ExitCode.OK.code;
        }
    }
}
