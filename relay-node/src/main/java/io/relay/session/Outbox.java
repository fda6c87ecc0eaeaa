package io.relay.session;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A connection's way out, in order: at most {@link #IN_FLIGHT} frames handed to Undertow at a time,
 * the rest waiting here. Undertow tries to write all of a channel's pending frames on every send, and
 * the JDK copies each heap buffer into a direct one before the write: with the client's socket full and
 * a thousand frames pending, every new frame cost a copy of all of them, and one stalled client held
 * its I/O thread (and every other client on it) for a second. Here a stalled client costs its thread
 * at most {@code IN_FLIGHT} frames per attempt.
 * <p>
 * Thread-safe: frames come from room lanes, Redis callbacks and I/O threads; whichever thread finds
 * the outbox idle hands frames over until it is empty or full, so they leave in the order they came.
 * A close (a {@link Runnable}) waits its turn behind the frames queued before it.
 */
final class Outbox {
    /** Frames in Undertow's queue at once: enough for a gathering write, few enough to copy cheaply. */
    static final int IN_FLIGHT = 32;

    private final Consumer<ByteBuffer> undertow;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(3);
    private int handedOver;
    private boolean draining;

    /** {@code undertow} sends one frame and calls {@link #written()} once it is written or dropped. */
    Outbox(Consumer<ByteBuffer> undertow) {
        this.undertow = undertow;
    }

    void add(ByteBuffer frame) {
        enqueue(frame);
    }

    /** Runs {@code close} once every frame added before it has been handed to Undertow. */
    void close(Runnable close) {
        enqueue(close);
    }

    /** Undertow is done with one handed-over frame: hand over the next, if any waits. */
    void written() {
        synchronized (this) {
            handedOver--;
            if (draining || waiting.isEmpty()) {
                return;
            }
            draining = true;
        }
        drain();
    }

    /** Frames handed over to Undertow and not yet written; for tests. */
    synchronized int inFlight() {
        return handedOver;
    }

    private void enqueue(Object entry) {
        synchronized (this) {
            waiting.add(entry);
            if (draining) {
                return; // the draining thread takes it, after what came before
            }
            draining = true;
        }
        drain();
    }

    /** Hands entries over until none waits or Undertow holds IN_FLIGHT; a send may call written() inline. */
    private void drain() {
        while (true) {
            Object next;
            synchronized (this) {
                next = waiting.peek();
                if (next == null || (next instanceof ByteBuffer && handedOver >= IN_FLIGHT)) {
                    draining = false;
                    return;
                }
                waiting.poll();
                if (next instanceof ByteBuffer) {
                    handedOver++;
                }
            }
            if (next instanceof ByteBuffer frame) {
                undertow.accept(frame);
            } else {
                ((Runnable) next).run();
            }
        }
    }
}
