package io.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a raw test socket received: its text frames (queued for {@link #take}, and all of them in
 * order) and how its connection ended ({@code C}, the socket's own close record). Every wait has a
 * deadline and fails with a description of what did arrive. Thread-safe: a reader thread adds, the
 * test waits.
 */
final class FrameInbox<C> {
    private final String label;
    private final Supplier<String> status;
    private final List<JsonNode> pending = new ArrayList<>();
    private final List<JsonNode> all = new ArrayList<>();
    private final CompletableFuture<C> end = new CompletableFuture<>();

    /** {@code status} adds socket-specific lines (pings seen, say) to failure descriptions. */
    FrameInbox(String label, Supplier<String> status) {
        this.label = label;
        this.status = status;
    }

    /** Queues a received text frame, parsed; an unparseable one is kept as a text node saying so. */
    void addText(String text) {
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            frame = TextNode.valueOf("UNPARSEABLE TEXT FRAME: " + text);
        }
        add(frame);
    }

    /** Records a binary frame (the protocol has none; it shows up in descriptions). */
    void addBinary() {
        add(TextNode.valueOf("BINARY FRAME"));
    }

    /** The connection ended with {@code close}; later calls are ignored. Wakes any waiter. */
    void end(C close) {
        end.complete(close);
        synchronized (pending) {
            pending.notifyAll();
        }
    }

    /**
     * Removes and returns the first queued frame matching {@code match}. With {@code nullAtEnd},
     * returns null once the connection has ended without one; fails when {@code timeout} passes.
     */
    JsonNode take(Predicate<JsonNode> match, Duration timeout, String what, boolean nullAtEnd) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (pending) {
            while (true) {
                for (Iterator<JsonNode> it = pending.iterator(); it.hasNext(); ) {
                    JsonNode f = it.next();
                    if (match.test(f)) {
                        it.remove();
                        return f;
                    }
                }
                if (nullAtEnd && end.isDone()) {
                    return null;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(label + ": " + (nullAtEnd ? "neither " + what
                            + " nor the end of the connection within " : "timed out waiting for " + what + " after ")
                            + timeout.toMillis() + " ms" + describe());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(pending, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Every text frame received so far, in order. */
    List<JsonNode> received() {
        synchronized (pending) {
            return List.copyOf(all);
        }
    }

    boolean isEnded() {
        return end.isDone();
    }

    /** How the connection ended, or null while it is open. */
    C endNow() {
        return end.getNow(null);
    }

    /** How the connection ended; fails if it is still open after {@code timeout}. */
    C awaitEnd(Duration timeout) {
        try {
            return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(label + ": connection still open after " + timeout.toMillis() + " ms"
                    + describe());
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The state and the last 20 frames, for failure messages. */
    String describe() {
        List<JsonNode> seen = received();
        StringBuilder s = new StringBuilder();
        s.append("\n  ").append(end.isDone() ? "closed: " + end.join() : "open").append(status.get());
        s.append("\n  received (").append(seen.size()).append(" text frames):");
        for (int i = Math.max(0, seen.size() - 20); i < seen.size(); i++) {
            s.append("\n    #").append(i).append(' ').append(Json.brief(seen.get(i), 300));
        }
        return s.toString();
    }

    private void add(JsonNode frame) {
        synchronized (pending) {
            pending.add(frame);
            all.add(frame);
            pending.notifyAll();
        }
    }
}
