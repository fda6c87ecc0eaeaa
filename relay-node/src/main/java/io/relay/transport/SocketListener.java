package io.relay.transport;

import io.relay.session.LogContext;
import io.relay.session.Session;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * Reads one connection's frames. Every buffer is bounded (Undertow's defaults are unlimited): text
 * and binary messages by the configured frame size, whole fragmented messages included, past which
 * Undertow closes with 1009. (Undertow itself caps control frames at the RFC's 125 bytes.)
 */
final class SocketListener extends AbstractReceiveListener {
    private static final Logger log = LoggerFactory.getLogger(SocketListener.class);

    private final Session session;
    private final ClientHandler handler;
    private final long maxFrameBytes;
    private volatile int peerCloseCode = -1;

    SocketListener(Session session, ClientHandler handler, long maxFrameBytes) {
        this.session = session;
        this.handler = handler;
        this.maxFrameBytes = maxFrameBytes;
    }

    int peerCloseCode() {
        return peerCloseCode;
    }

    /** The connection's close task: tells the handler, with the client's close code if it sent one. */
    void closed(WebSocketChannel channel) {
        handler.closed(session, peerCloseCode);
    }

    @Override
    protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
        LogContext context = session.logContext(); // whatever handling the frame logs names the connection
        try {
            handler.text(session, message.getData());
        } finally {
            context.close();
        }
    }

    @Override
    protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
        message.getData().free();
        LogContext context = session.logContext();
        try {
            handler.binary(session);
        } finally {
            context.close();
        }
    }

    @Override
    protected void onFullPongMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
        message.getData().free();
        session.touch();
    }

    @Override
    protected void onCloseMessage(CloseMessage message, WebSocketChannel channel) {
        peerCloseCode = message.getCode();
    }

    @Override
    protected void onError(WebSocketChannel channel, Throwable error) {
        session.inLogContext(() -> log.debug("session={} read error: {}", session.id(), error.toString()));
        IoUtils.safeClose(channel);
    }

    @Override
    protected long getMaxTextBufferSize() {
        return maxFrameBytes;
    }

    @Override
    protected long getMaxBinaryBufferSize() {
        return maxFrameBytes;
    }
}
