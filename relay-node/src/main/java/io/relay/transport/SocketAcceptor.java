package io.relay.transport;

import io.relay.auth.Principal;
import io.relay.model.FrameCodec;
import io.relay.session.OutboundMeter;
import io.relay.session.Session;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Turns each completed upgrade into a {@link Session} and starts reading its frames. */
final class SocketAcceptor implements WebSocketConnectionCallback {
    /** Per-connection limits, from the node's config. */
    record Limits(int maxFrameBytes, int outboundQueue, int rate, int burst) {
    }

    private final ClientHandler handler;
    private final FrameCodec codec;
    private final Limits limits;
    private final OutboundMeter meter;

    SocketAcceptor(ClientHandler handler, FrameCodec codec, Limits limits, OutboundMeter meter) {
        this.handler = handler;
        this.codec = codec;
        this.limits = limits;
        this.meter = meter;
    }

    @Override
    public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        Principal principal = exchange.getAttachment(UpgradeHandler.PRINCIPAL);
        Session session = new Session(newId(), principal, channel, codec, limits.outboundQueue(), limits.rate(),
                limits.burst(), meter);
        SocketListener listener = new SocketListener(session, handler, limits.maxFrameBytes());
        channel.getReceiveSetter().set(listener);
        channel.addCloseTask(ch -> handler.closed(session, listener.peerCloseCode()));
        handler.opened(session, exchange.getAttachment(UpgradeHandler.ROOM))
                .whenComplete((ok, e) -> channel.getIoThread().execute(channel::resumeReceives));
    }

    private static String newId() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return "s-" + HexFormat.of().formatHex(bytes);
    }
}
