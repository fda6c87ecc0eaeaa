package io.relay.transport;

import io.relay.session.Session;
import java.util.concurrent.CompletionStage;

/**
 * What the transport reports about each connection. Called on XNIO I/O threads: implementations
 * must not block. Calls for one connection never overlap.
 */
public interface ClientHandler {
    /**
     * The upgrade completed; {@code pathRoom} is the room of {@code /ws/{room}}, or null. The
     * connection's frames are read only once the returned stage completes, so the client's first
     * frames are handled after the session is fully set up.
     */
    CompletionStage<Void> opened(Session session, String pathRoom);

    /** One complete text frame (fragments already joined, at most the configured size). */
    void text(Session session, String text);

    /** One complete binary frame: not part of the protocol. */
    void binary(Session session);

    /** The connection is closed; {@code peerCloseCode} is the client's close code, or -1. */
    void closed(Session session, int peerCloseCode);
}
