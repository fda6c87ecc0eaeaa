package io.relay.hub;

import java.nio.ByteBuffer;

/** A local receiver of room frames: a client session, as the hub sees it. */
public interface Subscriber {
    /**
     * Queues one frame (UTF-8 JSON text) for sending. Each call gets its own read-only view of a
     * buffer shared by all subscribers. Called on a lane thread: must not block.
     */
    void deliver(ByteBuffer frame);

    /** The subscriber fell too far behind while joining; it must be closed as a slow consumer. */
    void overflowed();
}
