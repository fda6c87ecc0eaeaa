package io.relay.bench;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.concurrent.CompletableFuture;

/**
 * One bench connection (one attempt of it): joins its room after the welcome, then reports bench
 * messages (as a subscriber) or acks (as a publisher) to {@link Traffic}. {@link #ready()} completes
 * when the join is confirmed, or fails with the reason the connection or the join failed. The
 * {@link Protocol} says what the frames are.
 */
public final class BenchClient implements WsListener {
    private final Topology.Spec spec;
    private final Protocol protocol;
    private final Traffic traffic;
    private final long started = System.nanoTime();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final long[] fields = new long[3];
    private volatile Channel channel;
    private volatile boolean closing;
    private long welcomed;
    private long joined;
    private byte[] joinProbe;

    BenchClient(Topology.Spec spec, Protocol protocol, Traffic traffic) {
        this.spec = spec;
        this.protocol = protocol;
        this.traffic = traffic;
    }

    public Topology.Spec spec() {
        return spec;
    }

    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Nanoseconds from the start of the attempt to the welcome frame. */
    public long connectNanos() {
        return welcomed - started;
    }

    /** Nanoseconds from the start of the attempt to {@code joined}. */
    public long readyNanos() {
        return joined - started;
    }

    void attach(Channel channel) {
        this.channel = channel;
    }

    /** Sends a text frame; may be called from any thread. */
    public void send(String text) {
        Channel c = channel;
        if (c != null) {
            c.writeAndFlush(new TextWebSocketFrame(text), c.voidPromise());
        }
    }

    /** Sends bench message {@code seq} of this publisher, stamped with its intended send time {@code t}. */
    public void publish(long seq, long t, int payload) {
        send(protocol.publish(spec.roomName(), spec.id(), seq, t, payload));
    }

    /** True when the server acks each publish; otherwise sending it is all the bench learns. */
    public boolean acksPublishes() {
        return protocol.acksPublishes();
    }

    /** Closes the connection (normal closure); what happens after is not an error. */
    public void close() {
        closing = true;
        Channel c = channel;
        if (c != null) {
            WsHandler.closeGracefully(c);
        }
    }

    /** True while the connection is up. */
    public boolean isOpen() {
        Channel c = channel;
        return c != null && c.isActive();
    }

    /** Gives up on this attempt: {@link #ready()} fails with {@code why}. */
    void abandon(String why) {
        if (ready.completeExceptionally(new IllegalStateException(why))) {
            closing = true;
            Channel c = channel;
            if (c != null) {
                c.close();
            }
        }
    }

    @Override
    public void onOpen(Channel ch) {
        channel = ch;
        if (protocol.welcomesOnOpen()) {
            welcomed(System.nanoTime());
        }
    }

    @Override
    public void onText(byte[] b, int len, long now) {
        switch (protocol.type(b, len)) {
            case MESSAGE -> {
                if (joinProbe != null && FrameScanner.contains(b, len, joinProbe)) {
                    joined(now);
                } else if (spec.role() == Topology.Role.SUBSCRIBER && FrameScanner.benchMessage(b, len, fields)) {
                    traffic.delivered(spec.id(), fields[0], fields[1], fields[2], now);
                }
            }
            case ACK -> {
                if (spec.role() == Topology.Role.PUBLISHER) {
                    traffic.acked(spec.id(), FrameScanner.numericId(b, len));
                }
            }
            case OPEN -> send(protocol.handshake());
            case PING -> send(protocol.pong());
            case WELCOME -> welcomed(now);
            case JOINED -> joined(now);
            case ERROR -> onError(FrameScanner.text(b, len));
            default -> {
                // presence events and anything else: not measured
            }
        }
    }

    private void welcomed(long now) {
        welcomed = now;
        joinProbe = protocol.joinProbe(spec.user());
        protocol.join(spec.roomName(), spec.user()).forEach(this::send);
    }

    private void joined(long now) {
        joinProbe = null;
        if (joined == 0) {
            joined = now;
            ready.complete(null);
        }
    }

    private void onError(String frame) {
        if (!ready.isDone()) {
            abandon("join of " + spec.roomName() + " refused: " + frame);
        } else {
            traffic.error(spec.user() + ": " + frame);
        }
    }

    @Override
    public void onClose(int code, String reason) {
        if (!ready.isDone()) {
            abandon(reason);
        } else if (!closing) {
            traffic.disconnected(spec.user() + " disconnected: " + reason);
        }
    }

    @Override
    public void onFailure(String why) {
        abandon(why);
    }
}
