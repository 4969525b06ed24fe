package io.streamrec.score;

import io.streamrec.config.Settings;
import io.streamrec.metrics.Metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/** A scorer instance in a process of its own, for the scale-out test: arguments are key=value settings. */
public final class ScorerProcess {
    private ScorerProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            flags.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        ScorerApp app = ScorerApp.start(Settings.load(null, null, Map.of(), flags), Metrics.inMemory());
        System.out.println("READY " + app.httpUrl());
        System.out.flush();
        Thread.currentThread().join();
    }
}
