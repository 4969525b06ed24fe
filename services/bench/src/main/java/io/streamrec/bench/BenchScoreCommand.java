package io.streamrec.bench;

import io.streamrec.config.SettingsOptions;
import io.streamrec.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamrec bench score}: rating-to-recommendation latency beside Kafka alone, and users rescored/s. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Runs the scorer on a synthetic mf model (162,541 users x 59,047 items, d=64 by default: "
                + "ml-25m's size) and prints: users rescored/s after one snapshot touching every user; then, at each "
                + "steady rate, rating-to-recommendation latency p50/p99/p99.9 (send to list read back) beside Kafka "
                + "alone at the same rate (the same records through a scratch topic); recall@10 of the served lists "
                + "against a full scan. --exact ranks by full scans only, for comparison.",
                "Uses the broker at --bootstrap-server, which must hold no streamrec data (the benchmark writes to the "
                        + "registry's topics), or starts an embedded one for the run when none is given."})
public final class BenchScoreCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--users", paramLabel = "N", description = "Users with factor rows (bench.score.users).")
    Integer users;

    @Option(names = "--items", paramLabel = "N", description = "Items with factor rows (bench.score.items).")
    Integer items;

    @Option(names = "--dim", paramLabel = "D", description = "Factors per row (bench.score.dim; default 64).")
    Integer dim;

    @Option(names = "--rates", paramLabel = "LIST", description = "Ratings/s to measure, e.g. 1000,10000 (bench.score.rates).")
    String rates;

    @Option(names = "--seconds", paramLabel = "S", description = "Measured seconds per rate (bench.score.seconds).")
    Double seconds;

    @Option(names = "--exact", description = "Full scans only (scorer.retrieval.mode=exact), to compare with candidate retrieval.")
    boolean exact;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("bench.score.users", users);
        flags.put("bench.score.items", items);
        flags.put("bench.score.dim", dim);
        flags.put("bench.score.rates", rates);
        flags.put("bench.score.seconds", seconds);
        flags.put("scorer.retrieval.mode", exact ? "exact" : null);
        Settings s = settings.load(flags);
        PrintWriter out = spec.commandLine().getOut();
        BenchBroker.run(settings, s, out, true, broker -> ScoreBenchmark.run(broker, out));
        return 0;
    }
}
