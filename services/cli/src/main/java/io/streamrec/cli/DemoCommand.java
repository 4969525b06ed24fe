package io.streamrec.cli;

import io.streamrec.config.SettingsOptions;
import io.streamrec.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamrec demo}: broker, trainer, scorer and a replay in one process, with a live dashboard. */
@Command(name = "demo", mixinStandardHelpOptions = true, modelTransformer = SettingsOptions.BrokerRefused.class,
        description = {"Starts an embedded Kafka broker, the streaming trainer and the scorer, replays MovieLens at a "
                + "chosen pace and shows a live dashboard: events replayed and trained per second, the snapshot "
                + "version, prequential HR@10, rating-to-recommendation latency, and three users' current top-10.",
                "Data: --data DIR, else STREAMREC_DEMO_DATA, else the verified ml-latest-small in the cache, else a "
                        + "download of it; offline with nothing found, a synthetic stream (said plainly).",
                "Ratings produced from outside (e.g. kcat to the printed Kafka address) are trained and scored too. "
                        + "At the end: a summary and the learning curve (PNG, CSV and an HTML report). Ctrl-C stops everything cleanly."})
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--data", paramLabel = "DIR", description = "A MovieLens directory (demo.data; env STREAMREC_DEMO_DATA).")
    Path data;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "Replay pace in ratings per second (demo.rate; default 2000).")
    Double rate;

    @Option(names = "--speedup", paramLabel = "FACTOR", description = "Replay in event time sped up by FACTOR instead (demo.speedup).")
    Double speedup;

    @Option(names = "--users", paramLabel = "ID,ID,ID", description = "The users the dashboard follows (demo.users; default: chosen from the data).")
    String users;

    @Option(names = "--keep-running", description = "Keep taking ratings after the replay until Ctrl-C (demo.keep-running).")
    Boolean keepRunning;

    @Option(names = "--port", paramLabel = "PORT", description = "Kafka's port; a free one when taken (broker.port).")
    Integer port;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the learning curve goes (demo.output-dir).")
    Path outputDir;

    @Override
    public Integer call() throws Exception {
        settings.refuseBroker("the demo runs a Kafka of its own and uses no other; on your cluster, run train, score "
                + "and replay");
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("demo.data", data);
        flags.put("demo.rate", rate);
        flags.put("demo.speedup", speedup);
        flags.put("demo.users", users);
        flags.put("demo.keep-running", keepRunning);
        flags.put("broker.port", port);
        flags.put("demo.output-dir", outputDir);
        Demo demo = new Demo(settings.load(flags), System.out, System.console() != null);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stop, "demo-shutdown"));
        return demo.run();
    }
}
