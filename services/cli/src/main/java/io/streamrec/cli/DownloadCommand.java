package io.streamrec.cli;

import io.streamrec.config.SettingsOptions;
import io.streamrec.config.Settings;
import io.streamrec.dataset.movielens.DatasetCache;
import io.streamrec.dataset.movielens.MovieLens;
import io.streamrec.console.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamrec download}: a MovieLens archive fetched, verified and unpacked into the cache. */
@Command(name = "download", mixinStandardHelpOptions = true, modelTransformer = SettingsOptions.BrokerRefused.class,
        description = {"Fetches a MovieLens archive from GroupLens into the cache directory, checks its published "
                + "size and SHA-256, and unpacks it (refusing entries that would land outside the cache).",
                "A local .zip path or a file:/http(s): URL works the same way; a zip of another name is checked for a "
                        + "MovieLens layout instead. A verified copy in the cache is not fetched again.",
                "Prints the directory of the unpacked dataset, ready for: streamrec replay --data DIR"})
public final class DownloadCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Parameters(index = "0", paramLabel = "DATASET",
            description = "ml-latest-small, ml-25m, ml-20m, ml-1m, ml-100k, a .zip path, or a file:/http(s): URL of a zip.")
    String what;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache directory (data.cache-dir; default ~/.cache/streamrec).")
    Path cacheDir;

    @Option(names = "--mirror", paramLabel = "URL", description = "Base URL of the GroupLens archives (data.mirror).")
    String mirror;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        settings.refuseBroker("download uses no Kafka");
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("data.cache-dir", cacheDir);
        flags.put("data.mirror", mirror);
        Settings s = settings.load(flags);
        Path dir = DatasetCache.fromSettings(s, System.err, !quiet && ProgressBar.terminalAttached()).fetch(what);
        System.err.println(MovieLens.layoutOf(dir).description + " dataset ready; replay it with: streamrec replay --data " + dir);
        spec.commandLine().getOut().println(dir);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
