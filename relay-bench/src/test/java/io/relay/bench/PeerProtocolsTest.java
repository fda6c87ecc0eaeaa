package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * relay-bench driving the other protocols end to end, over real sockets, against a small in-test
 * server that speaks them as ../shared/bench's servers do: Socket.IO's Engine.IO packets (open,
 * namespace connect, join with ack, ping) and the hand-written server's JSON frames. (The shared
 * bench's own Node servers are not run here: CI has only a JDK.)
 */
class PeerProtocolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Map<String, Set<Channel>> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger pongs = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void drivesSocketIoThroughItsHandshakeAndPingsWithNoLoss() throws Exception {
        int port = serve(Protocol.SOCKETIO);
        JsonNode r = bench("--protocol", "socketio", "--urls", "ws://127.0.0.1:" + port);
        assertAllDelivered(r);
        assertThat(pongs.get()).as("each client answered the server's ping").isEqualTo(8);
    }

    @Test
    void drivesTheHandWrittenServerWithNoLoss() throws Exception {
        int port = serve(Protocol.SEEDWS);
        assertAllDelivered(bench("--protocol", "seedws", "--urls", "ws://127.0.0.1:" + port));
    }

    private static void assertAllDelivered(JsonNode r) {
        assertThat(r.get("status").asText()).isEqualTo("ok");
        assertThat(r.get("connected").asInt()).isEqualTo(8);
        assertThat(r.get("sent").asLong()).isEqualTo(2 * 20);
        assertThat(r.get("acked").asLong()).isEqualTo(2 * 20);
        assertThat(r.get("expected").asLong()).isEqualTo(2 * 20 * 3);
        assertThat(r.get("delivered").asLong()).isEqualTo(2 * 20 * 3);
        assertThat(r.get("loss").asLong()).isZero();
        assertThat(r.get("duplicates").asLong()).isZero();
    }

    /** 2 rooms x 3 members + 1 publisher each, 20 messages per publisher. */
    private static JsonNode bench(String... protocolArgs) throws Exception {
        String[] common = {"--rooms", "2", "--members", "3", "--publishers", "1", "--rate", "20", "--duration", "1",
                "--drain", "10", "--io-threads", "1", "--max-runtime", "60"};
        String[] args = new String[protocolArgs.length + common.length];
        System.arraycopy(protocolArgs, 0, args, 0, protocolArgs.length);
        System.arraycopy(common, 0, args, protocolArgs.length, common.length);
        Options o = Options.parse(args, Map.of());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Bench bench = new Bench(o, System.nanoTime() + TimeUnit.SECONDS.toNanos(50), new PrintStream(log, true))) {
            return JSON.readTree(bench.run().toJson().toString());
        }
    }

    private int serve(Protocol protocol) throws InterruptedException {
        String path = protocol == Protocol.SOCKETIO ? "/socket.io/" : "/";
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath(path).checkStartsWith(true).build()),
                                protocol == Protocol.SOCKETIO ? new SocketIoPeer() : new SeedWsPeer());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private void broadcast(String room, String frame) {
        for (Channel c : rooms.getOrDefault(room, Set.of())) {
            c.writeAndFlush(new TextWebSocketFrame(frame));
        }
    }

    private void join(String room, Channel c) {
        rooms.computeIfAbsent(room, k -> ConcurrentHashMap.newKeySet()).add(c);
    }

    /** Engine.IO v4 / Socket.IO v5 as socket.io 4.8 writes it, for the events of socketio-server.js. */
    private final class SocketIoPeer extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final String sid = "s" + ids.incrementAndGet();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ctx.writeAndFlush(new TextWebSocketFrame("0{\"sid\":\"e" + sid + "\",\"upgrades\":[],\"pingInterval\":25000,"
                        + "\"pingTimeout\":20000,\"maxPayload\":1000000}"));
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
            String text = frame.text();
            if (text.equals("40")) {
                ctx.writeAndFlush(new TextWebSocketFrame("40{\"sid\":\"" + sid + "\"}"));
            } else if (text.equals("3")) {
                pongs.incrementAndGet();
            } else if (text.startsWith("42")) {
                int open = text.indexOf('[');
                String ackId = text.substring(2, open);
                JsonNode event = JSON.readTree(text.substring(open));
                if (event.get(0).asText().equals("join")) {
                    join(event.get(1).asText(), ctx.channel());
                    ctx.writeAndFlush(new TextWebSocketFrame("43" + ackId + "[{\"ok\":true,\"node\":7101}]"));
                    ctx.writeAndFlush(new TextWebSocketFrame("2"));
                } else if (event.get(0).asText().equals("publish")) {
                    ObjectNode msg = JSON.createObjectNode().put("room", event.get(1).get("room").asText()).put("from", sid);
                    msg.set("data", event.get(1).get("data"));
                    broadcast(msg.get("room").asText(), "42[\"message\"," + msg + "]");
                }
            }
        }
    }

    /** The frames of seedws-server.js: no greeting, no acks. */
    private final class SeedWsPeer extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final String id = "c" + ids.incrementAndGet();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
            JsonNode in = JSON.readTree(frame.text().getBytes(StandardCharsets.UTF_8));
            String room = in.get("room").asText();
            if (in.get("type").asText().equals("join")) {
                join(room, ctx.channel());
            } else if (in.get("type").asText().equals("publish")) {
                ObjectNode msg = JSON.createObjectNode().put("type", "message").put("room", room).put("from", id);
                msg.set("data", in.get("data"));
                broadcast(room, msg.toString());
            }
        }
    }
}
