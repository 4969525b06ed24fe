package io.streamrec.demo;

import io.streamrec.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoSourceTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingDataDirectoryIsBlamedOnWhereItsPathCameFrom() {
        String missing = tmp.resolve("nonexistent").toString();

        assertThatThrownBy(() -> DemoSource.check(Settings.load(null, null, Map.of(), Map.of("demo.data", missing))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--data " + missing + " (demo.data): ")
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> DemoSource.check(Settings.load(null, null,
                Map.of("STREAMREC_DEMO_DATA", missing), Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("demo.data=" + missing + " (from env STREAMREC_DEMO_DATA): ")
                .hasMessageContaining("is not a directory");
    }
}
