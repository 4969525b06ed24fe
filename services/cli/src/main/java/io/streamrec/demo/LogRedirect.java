package io.streamrec.demo;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * While the dashboard is on the screen, log lines would scroll it away: they go to a file instead, with the
 * layout they had on the console, and the warnings and errors among them are also kept for the dashboard to show
 * (the last few, and how many). Closing puts the console back.
 */
final class LogRedirect implements AutoCloseable {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Path file;
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final List<Appender> consoles = new ArrayList<>();
    private final FileAppender fileAppender;
    private final Deque<String> recent = new ArrayDeque<>();
    private final int keep;
    private long warnings;
    private final AbstractAppender warningAppender = new AbstractAppender("demo-warnings", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
            String line = CLOCK.format(Instant.ofEpochMilli(event.getTimeMillis())) + " " + event.getLevel() + " "
                    + event.getLoggerName().substring(event.getLoggerName().lastIndexOf('.') + 1) + ": "
                    + event.getMessage().getFormattedMessage().replaceAll("\\s+", " ");
            synchronized (recent) {
                warnings++;
                recent.addLast(line);
                while (recent.size() > keep) {
                    recent.removeFirst();
                }
            }
        }
    };

    /**
     * @param file where every log line goes from now on (truncated first)
     * @param keep how many of the latest warnings to keep for the screen
     */
    LogRedirect(Path file, int keep) {
        this.file = file;
        this.keep = keep;
        LoggerConfig root = context.getConfiguration().getRootLogger();
        Layout<?> layout = PatternLayout.createDefaultLayout();
        for (Map.Entry<String, Appender> e : root.getAppenders().entrySet()) {
            if (e.getValue() instanceof ConsoleAppender console) {
                consoles.add(console);
                layout = console.getLayout();
            }
        }
        fileAppender = FileAppender.newBuilder().setName("demo-log").withFileName(file.toString()).withAppend(false)
                .setLayout(layout).setConfiguration(context.getConfiguration()).build();
        fileAppender.start();
        warningAppender.start();
        root.addAppender(fileAppender, null, null);
        root.addAppender(warningAppender, Level.WARN, null);
        consoles.forEach(c -> root.removeAppender(c.getName()));
        context.updateLoggers();
    }

    Path file() {
        return file;
    }

    /** Warnings and errors logged since the redirect began. */
    long warnings() {
        synchronized (recent) {
            return warnings;
        }
    }

    /** The latest of them, oldest first, each on one line. */
    List<String> recentWarnings() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    @Override
    public void close() {
        LoggerConfig root = context.getConfiguration().getRootLogger();
        consoles.forEach(c -> root.addAppender(c, null, null));
        root.removeAppender(fileAppender.getName());
        root.removeAppender(warningAppender.getName());
        context.updateLoggers();
        fileAppender.stop();
        warningAppender.stop();
    }
}
