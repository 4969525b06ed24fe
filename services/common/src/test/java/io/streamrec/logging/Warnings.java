package io.streamrec.logging;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The WARN and ERROR log lines of every logger while open: what would reach a user's screen through the logging
 * configuration in force (services/common's log4j2.xml, with the tests' overlay). Shared with the other modules'
 * tests through this module's test-jar.
 */
public final class Warnings implements AutoCloseable {
    /** A captured line with its level, so that the WARN and ERROR ones are told apart by level, not by text. */
    private record Line(Level level, String logger, String message) {
        String text() {
            return level + " " + logger + " " + message;
        }
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender = new AbstractAppender("test-warnings", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
            lines.add(new Line(event.getLevel(), event.getLoggerName(), event.getMessage().getFormattedMessage()));
        }
    };

    private Warnings(Level from) {
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(appender, from, null);
        context.updateLoggers();
    }

    public static Warnings capture() {
        return new Warnings(Level.WARN);
    }

    /** Also the INFO lines, for what a command must not log (its own WARN and ERROR lines stay in {@link #lines}). */
    public static Warnings captureFromInfo() {
        return new Warnings(Level.INFO);
    }

    /** The WARN and ERROR lines. */
    public List<String> lines() {
        return lines.stream().filter(l -> l.level().isMoreSpecificThan(Level.WARN)).map(Line::text).toList();
    }

    /** The messages alone of the WARN and ERROR lines of these loggers, in the order they were logged. */
    public List<String> messagesOf(String... loggers) {
        List<String> names = List.of(loggers);
        return lines.stream().filter(l -> l.level().isMoreSpecificThan(Level.WARN) && names.contains(l.logger()))
                .map(Line::message).toList();
    }

    /** Every line captured, INFO included when {@link #captureFromInfo}. */
    public List<String> allLines() {
        return lines.stream().map(Line::text).toList();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
