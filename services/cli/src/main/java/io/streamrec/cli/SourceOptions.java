package io.streamrec.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where ratings come from, shared by the commands that read a dataset ({@code replay}, {@code evaluate}): mixed in
 * with {@code @Mixin SourceOptions source}; the flags map onto the {@code replay.*} settings.
 */
public final class SourceOptions {
    @Option(names = "--data", paramLabel = "DIR", description = "A MovieLens directory in any layout (data.dir).")
    Path data;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "ml-latest-small, ml-25m, ml-20m, ml-1m or ml-100k from the cache, downloaded first if missing (data.name).")
    String dataset;

    @Option(names = "--synthetic", arity = "3", paramLabel = "USERS ITEMS EVENTS", hideParamSyntax = true,
            description = "A generated stream with planted taste topics (data.synthetic).")
    List<Long> synthetic;

    @Option(names = "--sample-users", paramLabel = "FRACTION",
            description = "Keep a reproducible random FRACTION of the users (data.sample-users).")
    Double sampleUsers;

    /** Adds the given flags; a source on the command line replaces any source from the configuration. */
    void putInto(Map<String, Object> flags) {
        if (data != null || dataset != null || synthetic != null) {
            flags.put("data.dir", data == null ? "" : data);
            flags.put("data.name", dataset == null ? "" : dataset);
            flags.put("data.synthetic", synthetic == null ? ""
                    : synthetic.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        flags.put("data.sample-users", sampleUsers);
    }
}
