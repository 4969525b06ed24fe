package io.streamrec.cli;

import picocli.CommandLine.Option;

import java.util.Map;

/** {@code --metrics-port}, for the services that serve {@code /metrics} and {@code /health}: train, score, replay. */
public final class MetricsPortOption {
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of /metrics and /health, 0 for any free one, -1 for none (metrics.port; default 9400).")
    Integer port;

    void putInto(Map<String, Object> flags) {
        flags.put("metrics.port", port);
    }
}
