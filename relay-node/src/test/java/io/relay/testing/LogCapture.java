package io.relay.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Captures everything the given loggers log, at every level, in memory and away from the console,
 * until closed; then restores their levels and additivity. For asserting what never gets logged.
 */
public final class LogCapture implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final Map<Logger, Level> levels = new HashMap<>();
    private final Map<Logger, Boolean> additivity = new HashMap<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            String line = event.getLoggerName() + " " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : " " + ThrowableProxyUtil.asString(event.getThrowableProxy()))
                    + " " + event.getMDCPropertyMap();
            synchronized (lines) {
                lines.add(line);
            }
        }
    };

    private LogCapture() {
    }

    /** Starts capturing the named loggers (and their children) at TRACE. */
    public static LogCapture of(String... loggerNames) {
        LogCapture capture = new LogCapture();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        capture.appender.setContext(context);
        capture.appender.setName("capture");
        capture.appender.start();
        for (String name : loggerNames) {
            Logger logger = context.getLogger(name);
            capture.levels.put(logger, logger.getLevel());
            capture.additivity.put(logger, logger.isAdditive());
            logger.setLevel(Level.TRACE);
            logger.setAdditive(false);
            logger.addAppender(capture.appender);
        }
        return capture;
    }

    /** Everything captured so far: logger name, message, stack trace and MDC of each event. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        levels.forEach((logger, level) -> {
            logger.detachAppender(appender);
            logger.setLevel(level);
            logger.setAdditive(additivity.get(logger));
        });
        appender.stop();
    }
}
