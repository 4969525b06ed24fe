package io.streamrec.demo;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The size of the terminal the demo draws on, asked again before every frame so a resized window is followed.
 * Java has no API for it; {@code stty size} on the controlling terminal answers on Linux and macOS. Elsewhere,
 * or when it fails, the shell's COLUMNS and LINES if exported, else the classic 80 x 24.
 */
record TerminalSize(int columns, int rows) {
    static final TerminalSize CLASSIC = new TerminalSize(80, 24);

    static TerminalSize query() {
        TerminalSize size = fromStty();
        return size != null ? size : fromEnvironment();
    }

    private static TerminalSize fromStty() {
        File tty = new File("/dev/tty");
        if (!tty.exists()) {
            return null;
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String answer = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!stty.waitFor(1, TimeUnit.SECONDS) || stty.exitValue() != 0) {
                return null;
            }
            String[] rowsColumns = answer.split("\\s+");
            return valid(Integer.parseInt(rowsColumns[1]), Integer.parseInt(rowsColumns[0]));
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static TerminalSize fromEnvironment() {
        try {
            TerminalSize size = valid(Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "")),
                    Integer.parseInt(System.getenv().getOrDefault("LINES", "")));
            return size != null ? size : CLASSIC;
        } catch (NumberFormatException e) {
            return CLASSIC;
        }
    }

    /** Null for a size no terminal has (stty says 0 0 for a terminal that never told its size). */
    private static TerminalSize valid(int columns, int rows) {
        return columns > 0 && rows > 0 ? new TerminalSize(columns, rows) : null;
    }
}
