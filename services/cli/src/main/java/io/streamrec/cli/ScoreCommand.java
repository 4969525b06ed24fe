package io.streamrec.cli;

import io.streamrec.config.Settings;
import io.streamrec.config.SettingsOptions;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.Metrics;
import io.streamrec.score.ScorerApp;
import io.streamrec.score.state.ScorerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code streamrec score}: the scoring service (Kafka Streams), until Ctrl-C. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Runs the scoring service until Ctrl-C: reads the trainer's snapshots (model-user-factors, "
                + "model-item-factors, model-snapshots), the catalogue (movies) and ratings, and keeps every user's "
                + "top-K in the compacted topic 'recommendations' (JSON per recommendation.schema.json).",
                "A rating recomputes its user's list at once (folding in ratings the model has not seen); a snapshot "
                        + "rescores the users it changed. Start more instances with the same --application-id, each "
                        + "with its own --state-dir and --http-port, to share the partitions.",
                "Serves GET /users/{id}/recommendations, /users/{id}/ratings, /movies/{id} and /health."})
public final class ScoreCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--application-id", paramLabel = "ID", description = "Kafka Streams application id shared by instances (scorer.application-id).")
    String applicationId;

    @Option(names = "--top-k", paramLabel = "K", description = "Items per list (scorer.top-k; default 10).")
    Integer topK;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Interactive-query port, 0 for any free one (scorer.http.port; default 8090).")
    Integer httpPort;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state of this instance (scorer.state-dir).")
    Path stateDir;

    @Option(names = "--threads", paramLabel = "N", description = "Stream threads (scorer.stream-threads; default 1).")
    Integer threads;

    @Mixin
    MetricsPortOption metricsPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("scorer.application-id", applicationId);
        flags.put("scorer.top-k", topK);
        flags.put("scorer.http.port", httpPort);
        flags.put("scorer.state-dir", stateDir);
        flags.put("scorer.stream-threads", threads);
        metricsPort.putInto(flags);
        Settings s = settings.load(flags);
        PrintWriter out = spec.commandLine().getOut();
        ScorerConfig.from(s); // a value out of range is named first, even when no broker runs
        Metrics.port(s);
        TopicAdmin.requireBroker(s); // before the metrics server logs its address: no broker, one line
        Metrics metrics = Metrics.start(s, "streamrec-scorer");
        ScorerApp scorer;
        try {
            scorer = ScorerApp.start(s, metrics);
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping the scorer...");
            out.flush();
            scorer.close();
            metrics.close();
            stopped.countDown();
        }, "scorer-shutdown"));
        out.printf("Scorer %s running against %s%n", s.text("scorer.application-id"), s.text("kafka.bootstrap.servers"));
        out.printf("  queries:  %s/users/{id}/recommendations   (./streamrec recommend USER --url %s)%n",
                scorer.httpUrl(), scorer.httpUrl());
        out.printf("  metrics:  %s%n", metrics.port() < 0 ? "off (metrics.port=-1)"
                : "http://" + s.text("metrics.host") + ":" + metrics.port() + "/metrics");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }
}
