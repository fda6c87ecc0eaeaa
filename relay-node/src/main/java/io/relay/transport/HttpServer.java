package io.relay.transport;

import io.relay.auth.TokenVerifier;
import io.relay.config.NodeConfig;
import io.relay.model.FrameCodec;
import io.relay.session.OutboundMeter;
import io.relay.session.Sessions;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * Undertow on one port: the WebSocket endpoints {@code /ws} and {@code /ws/{room}}, and whatever
 * HTTP routes the node adds; over TLS ({@code wss://}, {@code https://}) when RELAY_TLS_CERT is set.
 * Handlers run on the XNIO I/O threads and never block, so the worker pool is kept small.
 */
public final class HttpServer implements AutoCloseable {
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** A request (an upgrade, say) not fully received within this is dropped: no half-open sockets piling up. */
    private static final int REQUEST_PARSE_TIMEOUT_MS = 5_000;
    /** A connection that starts no request at all is dropped after this. */
    private static final int NO_REQUEST_TIMEOUT_MS = 10_000;
    /** Threads for blocking work; handlers never block, so few. */
    private static final int WORKER_THREADS = 4;

    private final Undertow undertow;
    private final RoutingHandler routes;

    private HttpServer(Undertow undertow, RoutingHandler routes) {
        this.undertow = undertow;
        this.routes = routes;
    }

    /**
     * The XNIO worker the server runs on, with {@code ioThreads} I/O threads and Undertow's own defaults
     * otherwise. Made apart from the server so the node can run its lanes on the same I/O threads; the
     * caller shuts it down after {@link #close()}.
     */
    public static XnioWorker newWorker(int ioThreads) {
        try {
            return Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.WORKER_TASK_CORE_THREADS, WORKER_THREADS)
                    .set(Options.WORKER_TASK_MAX_THREADS, WORKER_THREADS)
                    .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                    .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the XNIO worker", e);
        }
    }

    /**
     * Builds the server with its WebSocket endpoints on {@code worker}; add more routes with {@link #routes()}, then
     * {@link #start()}. {@code ready} gates new upgrades (503 while false). {@code framesOut} is told of
     * every frame queued for a client; with {@code tls} (see {@link TlsContext}) the port speaks HTTPS only.
     */
    public static HttpServer create(NodeConfig config, XnioWorker worker, TokenVerifier verifier, Sessions sessions,
                                    ClientHandler handler, FrameCodec codec, BooleanSupplier ready,
                                    OutboundMeter framesOut, SSLContext tls) {
        SocketAcceptor acceptor = new SocketAcceptor(handler, codec, new SocketAcceptor.Limits(
                config.maxFrameBytes(), config.outboundQueue(), config.rate(), config.burst()), framesOut);
        HttpHandler notUpgrade = exchange -> HttpReplies.error(exchange, 400, "bad_request",
                "this endpoint takes WebSocket upgrades only");
        HttpHandler upgrade = new UpgradeHandler(verifier, sessions, ready, config.allowedOrigins(),
                config.devMode() && config.allowedOrigins() == null, acceptor.handshakeHandler(notUpgrade));
        RoutingHandler routes = Handlers.routing()
                .get("/ws", upgrade)
                .get("/ws/{room}", upgrade)
                .setFallbackHandler(exchange -> HttpReplies.error(exchange, 404, "not_found", "no such route"));
        Undertow.Builder builder = Undertow.builder();
        if (tls != null) { // HTTPS instead of HTTP on the one port: wss:// and https:// only
            builder.addHttpsListener(config.port(), config.host(), tls);
        } else {
            builder.addHttpListener(config.port(), config.host());
        }
        Undertow undertow = builder
                .setHandler(routes)
                .setWorker(worker)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, REQUEST_PARSE_TIMEOUT_MS)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, NO_REQUEST_TIMEOUT_MS)
                .setSocketOption(Options.TCP_NODELAY, true)
                .build();
        return new HttpServer(undertow, routes);
    }

    /** The routing table, for the node's HTTP routes. */
    public RoutingHandler routes() {
        return routes;
    }

    public void start() {
        undertow.start();
    }

    /** The port actually bound (the configured one, or the one chosen for port 0). */
    public int port() {
        return bound().getPort();
    }

    /** The {@code /ws} endpoint as this process reaches it: loopback when bound to every address. */
    public URI ownWebSocketUri() {
        InetSocketAddress bound = bound();
        InetAddress address = bound.getAddress();
        String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
        String scheme = undertow.getListenerInfo().get(0).getProtcol().equals("https") ? "wss" : "ws";
        return URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/ws");
    }

    private InetSocketAddress bound() {
        return (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
