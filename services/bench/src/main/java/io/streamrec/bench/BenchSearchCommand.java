package io.streamrec.bench;

import io.streamrec.config.SettingsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamrec bench search}: one user's list by candidate retrieval beside a full scan, without Kafka. */
@Command(name = "search", mixinStandardHelpOptions = true, modelTransformer = SettingsOptions.BrokerRefused.class,
        description = {"Times one user's list by candidate retrieval (the index's search and the exact re-ranking "
                + "of its candidates) beside a full scan of the catalogue, in the same run, hot and with the caches "
                + "evicted, and prints the recall@10 of retrieval against the scan. No Kafka: the scorer's ranking "
                + "classes on bench score's synthetic model (bench.score.items, bench.score.dim) with the index that "
                + "scorer.retrieval.* describes; seconds where bench score takes minutes."})
public final class BenchSearchCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--users", paramLabel = "N", description = "Users timed per round (bench.search.users; default 4,000).")
    Integer users;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        settings.refuseBroker("bench search runs without Kafka");
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("bench.search.users", users);
        SearchBenchmark.run(settings.load(flags), spec.commandLine().getOut());
        return 0;
    }
}
