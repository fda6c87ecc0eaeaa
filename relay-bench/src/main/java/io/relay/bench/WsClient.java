package io.relay.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A non-blocking WebSocket client: every connection of the process shares one small group of Netty
 * event loop threads, so one process holds tens of thousands of connections. Sends no
 * {@code Origin} header (a non-browser client, as the nodes expect by default).
 */
public final class WsClient implements AutoCloseable {
    private static final int MAX_FRAME = 1 << 20;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<URI, InetSocketAddress> resolved = new ConcurrentHashMap<>();

    public WsClient(int threads, int connectTimeoutMillis) {
        this.group = new NioEventLoopGroup(threads, new DefaultThreadFactory("bench-io", true));
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
    }

    /**
     * Starts a connection to {@code url} from {@code sourceAddress} (null: the OS picks) with the given
     * request headers; returns its channel at once. The outcome reaches {@code listener}.
     */
    public Channel connect(URI url, String sourceAddress, Map<String, String> headers, WsListener listener) {
        HttpHeaders h = new DefaultHttpHeaders();
        headers.forEach(h::add);
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                url, WebSocketVersion.V13, null, false, h, MAX_FRAME, true, false, 2000L, false, false);
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                        new WsHandler(handshaker, listener));
            }
        });
        InetSocketAddress remote = resolved.computeIfAbsent(url, u -> new InetSocketAddress(u.getHost(), port(u)));
        ChannelFuture f = sourceAddress == null ? b.connect(remote) : b.connect(remote, new InetSocketAddress(sourceAddress, 0));
        f.addListener(done -> {
            if (!done.isSuccess()) {
                listener.onFailure("connect to " + remote + (sourceAddress == null ? "" : " from " + sourceAddress)
                        + ": " + done.cause().getMessage());
            }
        });
        return f.channel();
    }

    /** Runs {@code task} after {@code millis} on an event loop. */
    public void schedule(Runnable task, long millis) {
        group.schedule(task, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : 80;
    }
}
