package io.relay.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting with a deadline instead of sleeping and hoping. A condition is polled every few
 * milliseconds until it holds or the deadline passes; the failure names what was awaited and the
 * last value seen.
 */
public final class Poll {
    private static final long STEP_MILLIS = 25;

    private Poll() {
    }

    /** Returns once {@code condition} holds; fails with {@code what} after {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition, String what) {
        until(timeout, condition::getAsBoolean, ok -> ok, what);
    }

    /**
     * Polls {@code value} until {@code accept} takes it and returns that value; fails after
     * {@code timeout} with {@code what} and the last value seen (or the last exception or failed
     * assertion thrown: those count as "not yet").
     */
    public static <T> T until(Duration timeout, Supplier<T> value, Predicate<? super T> accept, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Throwable lastError = null;
        while (true) {
            try {
                last = value.get();
                lastError = null;
                if (accept.test(last)) {
                    return last;
                }
            } catch (RuntimeException | AssertionError e) {
                lastError = e;
            }
            if (System.nanoTime() >= deadline) {
                AssertionError failure = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for "
                        + what + "; last value: " + (lastError != null ? lastError : last));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            pause();
        }
    }

    /**
     * Asserts that {@code condition} holds throughout {@code period}, checking it every few
     * milliseconds: the counterpart of {@link #until} for "this does not change".
     */
    public static void during(Duration period, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + period.toNanos();
        do {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("expected throughout " + period.toMillis() + " ms: " + what);
            }
            pause();
        } while (System.nanoTime() < deadline);
        if (!condition.getAsBoolean()) {
            throw new AssertionError("expected throughout " + period.toMillis() + " ms: " + what);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(STEP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while polling", e);
        }
    }
}
