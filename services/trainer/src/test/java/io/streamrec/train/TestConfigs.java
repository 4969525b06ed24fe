package io.streamrec.train;

import io.streamrec.config.Settings;

/** Trainer configurations for tests: the documented defaults with a few overrides. */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** Defaults plus key/value pairs, e.g. {@code config("trainer.model", "gmf", "trainer.dim", 8)}. */
    public static TrainerConfig config(Object... keyValues) {
        Settings s = Settings.defaults();
        for (int i = 0; i < keyValues.length; i += 2) {
            s = s.with((String) keyValues[i], keyValues[i + 1]);
        }
        return TrainerConfig.from(s);
    }
}
