package io.relay.session;

import org.slf4j.MDC;

/**
 * A connection's id in the log context ({@value #KEY}, shown by both log formats) for the lines
 * logged until {@link #close()} (see {@link Session#inLogContext}). Restores what was there before
 * on close, so nested scopes (a frame handler logging inside the listener's scope) keep it.
 */
public final class LogContext implements AutoCloseable {
    /** The MDC key: the session id the client sees in {@code welcome.session}. */
    public static final String KEY = "conn";

    private final String previous;

    private LogContext(String connection) {
        previous = MDC.get(KEY);
        MDC.put(KEY, connection);
    }

    static LogContext of(String connection) {
        return new LogContext(connection);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, previous);
        }
    }
}
