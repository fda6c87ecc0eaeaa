package io.relay.session;

import io.relay.auth.Principal;
import io.relay.hub.Subscriber;
import io.relay.model.CloseCode;
import io.relay.model.FrameCodec;
import io.relay.model.ServerFrame;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.xnio.IoUtils;

/**
 * One client connection: who it is, which rooms it is in, and its bounded outbound queue. Sends never
 * block: a frame goes through the connection's {@link Outbox} to Undertow's queue for the socket, and a
 * client that lets more than {@code queueLimit} frames or {@link #QUEUE_BYTE_LIMIT} bytes pile up is
 * closed as a slow consumer (4008). Thread-safe.
 */
public final class Session implements Subscriber {
    /** Bytes waiting for one client before it is closed as slow, whatever the frame count. */
    public static final long QUEUE_BYTE_LIMIT = 4L * 1024 * 1024;
    /** A client that does not take our close frame within this time has its socket shut regardless. */
    private static final long CLOSE_GRACE_SECONDS = 5;

    private final String id;
    private final WebSocketChannel channel;
    private final FrameCodec codec;
    private final int queueLimit;
    private final RateLimiter rateLimiter;
    private final OutboundMeter meter;
    private final Map<String, Membership> rooms = new ConcurrentHashMap<>(2); // most are in one or two rooms
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean gone = new AtomicBoolean();
    private final WebSocketCallback<ByteBuffer> sent = new Sent();
    private final Outbox outbox = new Outbox(this::write);
    private volatile Principal principal;
    private volatile long lastSeenNanos;
    private volatile CloseCode closeCode;
    private volatile String closeReason;

    /** A room's state for this connection: joining, or joined and counted in presence. */
    public enum Membership { JOINING, COUNTED }

    public Session(String id, Principal principal, WebSocketChannel channel, FrameCodec codec, int queueLimit,
                   int rate, int burst, OutboundMeter meter) {
        this.id = id;
        this.meter = meter;
        this.principal = principal;
        this.channel = channel;
        this.codec = codec;
        this.queueLimit = queueLimit;
        this.lastSeenNanos = System.nanoTime();
        this.rateLimiter = new RateLimiter(rate, burst, lastSeenNanos);
    }

    public String id() {
        return id;
    }

    public Principal principal() {
        return principal;
    }

    /** Replaces the identity after a {@code refresh} for the same user. */
    public void principal(Principal refreshed) {
        this.principal = refreshed;
    }

    public String userId() {
        return principal.userId();
    }

    /** This connection's id in the log context until closed (in a {@code finally}). */
    public LogContext logContext() {
        return LogContext.of(id);
    }

    /** Runs {@code logging} (a log call about this connection) with its id in the log context. */
    public void inLogContext(Runnable logging) {
        LogContext context = logContext();
        try {
            logging.run();
        } finally {
            context.close();
        }
    }

    /** Encodes and queues one frame for this client only. */
    public void send(ServerFrame frame) {
        deliver(ByteBuffer.wrap(codec.encodeToBytes(frame)));
    }

    @Override
    public void deliver(ByteBuffer frame) {
        if (closeCode != null) {
            return;
        }
        int size = frame.remaining();
        if (queued.incrementAndGet() > queueLimit || queuedBytes.addAndGet(size) > QUEUE_BYTE_LIMIT) {
            queued.decrementAndGet();
            queuedBytes.addAndGet(-size);
            close(CloseCode.SLOW_CONSUMER, "outbound queue over " + queueLimit + " frames or "
                    + QUEUE_BYTE_LIMIT + " bytes");
            return;
        }
        meter.queued(frame);
        outbox.add(frame);
    }

    /**
     * Hands a frame from the outbox to Undertow's queue for the socket; Undertow writes it on the
     * channel's I/O thread, without waking it when called there (room lanes run on the I/O threads),
     * and there at the end of the thread's current tasks, with the other frames they sent this client.
     * The outbox keeps few frames in Undertow's queue and the bounds of {@link #deliver} the rest.
     */
    private void write(ByteBuffer frame) {
        if (channel.isOpen()) {
            DeferredFlush.hold(channel);
            // the buffer rides along as the callback's context: its limit tells how many bytes went out
            WebSockets.sendText(frame, channel, sent, frame);
        } else {
            sent.complete(channel, frame);
        }
    }

    @Override
    public void overflowed() {
        close(CloseCode.SLOW_CONSUMER, "fell behind while joining");
    }

    /** Counts an inbound frame against the rate limit; marks the connection alive. */
    public RateLimiter.Verdict admit() {
        long now = System.nanoTime();
        lastSeenNanos = now;
        return rateLimiter.take(now);
    }

    /** Marks the connection alive (a pong, say). */
    public void touch() {
        lastSeenNanos = System.nanoTime();
    }

    public long lastSeenNanos() {
        return lastSeenNanos;
    }

    /**
     * Closes the connection with {@code code}, once; later calls are ignored. {@code why} is for the
     * log line, never sent to the client.
     */
    public void close(CloseCode code, String why) {
        synchronized (this) {
            if (closeCode != null) {
                return;
            }
            closeCode = code;
            closeReason = why;
        }
        // Undertow closes the socket when the client answers our close frame; shutting it ourselves
        // while the client still sends would reset the connection and could destroy the close frame
        // unread. A client that never answers (a slow one, say) is cut off after the grace time.
        channel.getIoThread().executeAfter(() -> IoUtils.safeClose(channel), CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
        outbox.close(() -> WebSockets.sendClose(code.code(), code.reason(), channel, null)); // after what was sent
    }

    /** True the first time it is called: the connection's end is handled once, whoever sees it first. */
    public boolean markGone() {
        return gone.compareAndSet(false, true);
    }

    /** The code this server closed with, or null when the client or the network closed first. */
    public CloseCode closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    public boolean isOpen() {
        return closeCode == null && channel.isOpen();
    }

    /** Rooms of this connection and their state; the coordinator changes it under {@code synchronized(session)}. */
    public Map<String, Membership> rooms() {
        return rooms;
    }

    public Set<String> roomNames() {
        return rooms.keySet();
    }

    /** Frames queued to the socket and not yet written. */
    public int queued() {
        return queued.get();
    }

    public WebSocketChannel channel() {
        return channel;
    }

    private final class Sent implements WebSocketCallback<ByteBuffer> {
        @Override
        public void complete(WebSocketChannel ch, ByteBuffer frame) {
            queued.decrementAndGet();
            queuedBytes.addAndGet(-frame.limit());
            outbox.written();
        }

        @Override
        public void onError(WebSocketChannel ch, ByteBuffer frame, Throwable throwable) {
            complete(ch, frame);
            IoUtils.safeClose(ch);
        }
    }
}
