package io.streamrec.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** The exit codes of every streamrec command, one meaning each; every command's --help lists them. */
public enum ExitCode {
    OK(0, "Done."),
    FAILED(1, "The command ran and failed or found a problem; the message says which."),
    USAGE(2, "Usage error: a bad flag, setting, environment variable, path, id or data file. Nothing is left running."),
    KAFKA_UNREACHABLE(3, "No Kafka broker answered at the bootstrap address."),
    SCORER_UNREACHABLE(4, "No scorer answered at its address (recommend)."),
    SCORER_ERROR(5, "The scorer answered with an error (recommend)."),
    /** Set by the JVM (128 + SIGINT), after the shutdown hooks: no command returns it. */
    INTERRUPTED(130, "Stopped by Ctrl-C, after winding down (the demo prints its summary first)."),
    /** Set by the JVM (128 + SIGTERM), after the same shutdown hooks: how a service is stopped normally. */
    TERMINATED(143, "Stopped by SIGTERM (kill, docker stop), after winding down as for Ctrl-C.");

    public final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The list for picocli's usage help: code to meaning. */
    static Map<String, String> helpList() {
        Map<String, String> list = new LinkedHashMap<>();
        for (ExitCode c : values()) {
            list.put(Integer.toString(c.code), c.meaning);
        }
        return list;
    }
}
