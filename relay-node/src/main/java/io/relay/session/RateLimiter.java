package io.relay.session;

/**
 * Per-connection token bucket ({@code rate} frames per second, {@code burst} at once), plus the
 * abuse rule of PROTOCOL.md: more than {@link #ABUSE_LIMIT} refused frames within
 * {@link #ABUSE_WINDOW_NANOS} means the connection is to be closed. Used from one I/O thread at a time.
 */
public final class RateLimiter {
    static final int ABUSE_LIMIT = 100;
    static final long ABUSE_WINDOW_NANOS = 10_000_000_000L;

    public enum Verdict { ALLOWED, LIMITED, ABUSIVE }

    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long refilledAt;
    private long windowStart;
    private int refusedInWindow;

    RateLimiter(int rate, int burst, long now) {
        this.ratePerNano = rate / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.refilledAt = now;
        this.windowStart = now;
    }

    synchronized Verdict take(long now) {
        tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ALLOWED;
        }
        if (now - windowStart > ABUSE_WINDOW_NANOS) {
            windowStart = now;
            refusedInWindow = 0;
        }
        return ++refusedInWindow > ABUSE_LIMIT ? Verdict.ABUSIVE : Verdict.LIMITED;
    }
}
