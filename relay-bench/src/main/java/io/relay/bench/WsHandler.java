package io.relay.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One connection's pipeline end: completes the upgrade, answers pings, and hands text frames and the
 * end of the connection to a {@link WsListener}. Text bytes are copied into a per-thread scratch
 * array, so reading a frame allocates nothing.
 */
final class WsHandler extends SimpleChannelInboundHandler<Object> {
    private static final int MAX_FRAME = 1 << 20;
    private static final long CLOSE_WAIT_MILLIS = 1000;
    private static final AttributeKey<Boolean> CLOSE_SENT = AttributeKey.valueOf("relay-bench-close-sent");
    private static final FastThreadLocal<byte[][]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
            return new byte[][] {new byte[8192]};
        }
    };

    private final WebSocketClientHandshaker handshaker;
    private final WsListener listener;
    private boolean opened;
    private int closeCode = -1;
    private String closeReason = "connection lost";

    WsHandler(WebSocketClientHandshaker handshaker, WsListener listener) {
        this.handshaker = handshaker;
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        handshaker.handshake(ctx.channel()).addListener(f -> {
            if (!f.isSuccess()) {
                closeReason = "upgrade request: " + f.cause();
                ctx.close();
            }
        });
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (!handshaker.isHandshakeComplete()) {
            if (msg instanceof FullHttpResponse response) {
                finishUpgrade(ctx, response);
            }
            return;
        }
        if (msg instanceof TextWebSocketFrame text) {
            long now = System.nanoTime();
            ByteBuf content = text.content();
            int length = content.readableBytes();
            byte[] bytes = scratch(length);
            content.getBytes(content.readerIndex(), bytes, 0, length);
            listener.onText(bytes, length, now);
        } else if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        } else if (msg instanceof CloseWebSocketFrame close) {
            closeCode = close.statusCode();
            closeReason = "closed by the server: " + closeCode + " " + close.reasonText();
            if (Boolean.TRUE.equals(ctx.channel().attr(CLOSE_SENT).get())) {
                ctx.close(); // the reply to our own close
            } else {
                ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, close.content().retain())).addListener(f -> ctx.close());
            }
        }
    }

    /**
     * Starts a normal closure (1000) of an upgraded connection: the server answers with its close
     * frame and the connection ends; after a second without that, it is closed anyway.
     */
    static void closeGracefully(Channel channel) {
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                channel.close();
                return;
            }
            channel.attr(CLOSE_SENT).set(Boolean.TRUE);
            channel.writeAndFlush(new CloseWebSocketFrame(1000, null));
            channel.eventLoop().schedule(() -> channel.close(), CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    private void finishUpgrade(ChannelHandlerContext ctx, FullHttpResponse response) {
        int status = response.status().code();
        if (status != 101) {
            String body = response.content().toString(StandardCharsets.UTF_8);
            closeReason = "upgrade refused: HTTP " + status + (body.isBlank() ? "" : " " + brief(body));
            ctx.close();
            return;
        }
        try {
            handshaker.finishHandshake(ctx.channel(), response);
        } catch (RuntimeException e) {
            closeReason = "upgrade failed: " + e.getMessage();
            ctx.close();
            return;
        }
        ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(MAX_FRAME));
        opened = true;
        listener.onOpen(ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (opened) {
            listener.onClose(closeCode, closeReason);
        } else {
            listener.onFailure(closeReason.equals("connection lost") ? "connection closed before the upgrade" : closeReason);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCode == -1) {
            closeReason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        ctx.close();
    }

    private static byte[] scratch(int length) {
        byte[][] holder = SCRATCH.get();
        if (holder[0].length < length) {
            holder[0] = new byte[Math.max(length, holder[0].length * 2)];
        }
        return holder[0];
    }

    private static String brief(String s) {
        String line = s.strip().replace('\n', ' ');
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
