package io.relay.session;

import java.nio.ByteBuffer;

/**
 * Told of every frame queued for a client (once per recipient), before it goes to the socket. Called
 * on lane, I/O and Redis threads: must be quick and must not block or move the buffer's position.
 */
@FunctionalInterface
public interface OutboundMeter {
    /** Counts nothing. */
    OutboundMeter NONE = frame -> { };

    void queued(ByteBuffer frame);
}
