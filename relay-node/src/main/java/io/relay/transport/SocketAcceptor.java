package io.relay.transport;

import io.relay.auth.Principal;
import io.relay.model.FrameCodec;
import io.relay.session.OutboundMeter;
import io.relay.session.Session;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.HttpUpgradeListener;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.protocol.Handshake;
import io.undertow.websockets.core.protocol.version07.Hybi07Handshake;
import io.undertow.websockets.core.protocol.version08.Hybi08Handshake;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import io.undertow.websockets.spi.AsyncWebSocketHttpServerExchange;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Turns each completed upgrade into a {@link Session} and starts reading its frames.
 *
 * <p>It is the one upgrade listener of every connection, not a {@code WebSocketConnectionCallback}:
 * Undertow keeps a connection's upgrade listener for as long as the socket is open (in its
 * {@code HttpServerConnection}), and the listener that {@code Handlers.websocket(callback)} installs
 * holds the upgrade's whole exchange (request and response headers, the token among them, query and
 * path parameters, attachments): about 3 KiB per idle WebSocket. This listener is shared and holds
 * nothing per connection; it gets the exchange as an argument, once, and lets go of it.
 */
final class SocketAcceptor implements HttpUpgradeListener {
    /** Per-connection limits, from the node's config. */
    record Limits(int maxFrameBytes, int outboundQueue, int rate, int burst) {
    }

    /** The handshakes of {@code Handlers.websocket}: RFC 6455 (13) and the drafts 8 and 7. */
    private static final List<Handshake> HANDSHAKES =
            List.of(new Hybi13Handshake(), new Hybi08Handshake(), new Hybi07Handshake());
    /**
     * Undertow's set of open channels, which Relay never reads (the node tracks its sessions itself):
     * empty, so it costs no entry per connection. A channel only ever removes itself from it.
     */
    private static final Set<WebSocketChannel> NO_PEERS = Collections.emptySet();

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

    /** The handler that answers the WebSocket handshake (or passes anything else to {@code notUpgrade}). */
    HttpHandler handshakeHandler(HttpHandler notUpgrade) {
        return new WebSocketProtocolHandshakeHandler(HANDSHAKES, this, notUpgrade);
    }

    /** The 101 is sent: the same work as Undertow's own listener, without keeping the exchange. */
    @Override
    public void handleUpgrade(StreamConnection connection, HttpServerExchange exchange) {
        WebSocketHttpExchange facade = new AsyncWebSocketHttpServerExchange(exchange, NO_PEERS);
        Handshake handshake = null;
        for (Handshake candidate : HANDSHAKES) { // the one the handshake handler chose: same headers
            if (candidate.matches(facade)) {
                handshake = candidate;
                break;
            }
        }
        if (handshake == null) { // cannot happen: only a matching handshake upgrades
            IoUtils.safeClose(connection);
            return;
        }
        onConnect(facade, handshake.createChannel(facade, connection, facade.getBufferPool()));
    }

    private void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        Principal principal = exchange.getAttachment(UpgradeHandler.PRINCIPAL);
        String pathRoom = exchange.getAttachment(UpgradeHandler.ROOM);
        Session session = new Session(newId(), principal, channel, codec, limits.outboundQueue(), limits.rate(),
                limits.burst(), meter);
        SocketListener listener = new SocketListener(session, handler, limits.maxFrameBytes());
        channel.getReceiveSetter().set(listener);
        channel.addCloseTask(listener::closed);
        handler.opened(session, pathRoom)
                .whenComplete((ok, e) -> channel.getIoThread().execute(channel::resumeReceives));
    }

    private static String newId() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return "s-" + HexFormat.of().formatHex(bytes);
    }
}
