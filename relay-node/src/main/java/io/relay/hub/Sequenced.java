package io.relay.hub;

import java.nio.ByteBuffer;

/** A frame with its sequence number in the room's history, or -1 for a frame outside it. */
public record Sequenced(ByteBuffer frame, long seq) {
}
