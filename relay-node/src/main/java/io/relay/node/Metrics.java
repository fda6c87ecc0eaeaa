package io.relay.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.relay.broker.RedisBroker;
import io.relay.hub.Hub;
import io.relay.hub.Lanes;
import io.relay.model.CloseCode;
import io.relay.presence.NodeLiveness;
import io.relay.session.OutboundMeter;
import io.relay.session.Sessions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's meters, named the Prometheus way ({@code relay_connections},
 * {@code relay_frames_in_total}...); README.md ("Metrics") lists them all. Counters are made once
 * and reused: nothing is looked up by name on the frame path. Labels are closed sets (frame types,
 * close reasons): never user input. Gauges and function counters read the parts that own the state.
 */
final class Metrics implements OutboundMeter, AutoCloseable {
    /** {@code {"type":"} : every server frame starts so (the codec and the Lua scripts write type first). */
    private static final byte[] TYPE_PREFIX = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final int LONGEST_TYPE = 24;
    private static final Duration[] ACK_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5)};
    /** The reason of a close the client or the network made (no close code of ours). */
    private static final String CLIENT_CLOSE = "client";

    private final MeterRegistry registry;
    private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
    /** Copied on write: a new type is rare (a dozen exist), a lookup is every frame to every client. */
    private volatile OutType[] framesOut = new OutType[0];
    private final Map<String, Counter> closes = new ConcurrentHashMap<>();
    private final Timer publishAck;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    Metrics(MeterRegistry registry, Sessions sessions, Hub hub, Lanes lanes, RedisBroker broker,
            NodeLiveness liveness) {
        this.registry = registry;
        Gauge.builder("relay.connections", sessions, Sessions::count)
                .description("open client connections on this node").register(registry);
        Gauge.builder("relay.rooms", hub, Hub::roomCount)
                .description("rooms with at least one local member").register(registry);
        Gauge.builder("relay.subscribed.channels", broker, RedisBroker::subscribedChannels)
                .description("Redis pub/sub channels this node holds: rooms, users, its probe").register(registry);
        FunctionCounter.builder("relay.pubsub.reconnects", broker, RedisBroker::reconnects)
                .description("times the pub/sub connection to Redis came back after a loss").register(registry);
        FunctionCounter.builder("relay.node.sweeps", liveness, NodeLiveness::sweeps)
                .description("dead nodes this node swept (their users removed from presence)").register(registry);
        FunctionCounter.builder("relay.lane.rejected", lanes, Lanes::rejected)
                .description("work refused because a lane's queue was full (frames not delivered)").register(registry);
        publishAck = Timer.builder("relay.publish.ack")
                .description("from a publish frame received to its ack queued for the client")
                .serviceLevelObjectives(ACK_BUCKETS).register(registry);
        for (CloseCode code : CloseCode.values()) { // every reason exported from the start, at 0, for alerts
            closes(code.name());
        }
        closes(CLIENT_CLOSE);
        bindJvm();
    }

    private void bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** One client frame of {@code type} (a client frame type, or {@code invalid}). */
    void frameIn(String type) {
        framesIn.computeIfAbsent(type, t -> Counter.builder("relay.frames.in").tag("type", t)
                .description("client frames received, by type").register(registry)).increment();
    }

    /**
     * One frame queued for one client: counted by the type its first field names. Runs once per
     * recipient of every broadcast, so known types are matched on the bytes, allocating nothing.
     */
    @Override
    public void queued(ByteBuffer frame) {
        for (OutType known : framesOut) {
            if (known.matches(frame)) {
                known.counter.increment();
                return;
            }
        }
        newFrameType(typeOf(frame)).increment();
    }

    /** A publish acked, {@code receivedNanos} ({@link System#nanoTime()}) after its frame came in. */
    void publishAcked(long receivedNanos) {
        publishAck.record(System.nanoTime() - receivedNanos, TimeUnit.NANOSECONDS);
    }

    /** A connection closed, for {@code reason}: a close code's name, or {@code client} (the client or network). */
    void closed(String reason) {
        closes(reason).increment();
    }

    private Counter closes(String reason) {
        return closes.computeIfAbsent(reason.toLowerCase(Locale.ROOT), r -> Counter.builder("relay.closes")
                .tag("reason", r).description("closed connections, by reason").register(registry));
    }

    /** Stops the GC listener (it outlives the registry otherwise: nodes in one JVM come and go in tests). */
    @Override
    public void close() {
        gc.close();
    }

    private synchronized Counter newFrameType(String type) {
        for (OutType known : framesOut) {
            if (known.type.equals(type)) {
                return known.counter;
            }
        }
        Counter counter = Counter.builder("relay.frames.out").tag("type", type)
                .description("frames queued for clients, by type, once per recipient").register(registry);
        OutType[] grown = Arrays.copyOf(framesOut, framesOut.length + 1);
        grown[framesOut.length] = new OutType(type, counter);
        framesOut = grown;
        return counter;
    }

    /** The frame's type, read from its first bytes without decoding; {@code other} if it has none. */
    static String typeOf(ByteBuffer frame) {
        int start = frame.position();
        int limit = Math.min(frame.limit(), start + TYPE_PREFIX.length + LONGEST_TYPE);
        if (limit - start <= TYPE_PREFIX.length) {
            return "other";
        }
        for (int i = 0; i < TYPE_PREFIX.length; i++) {
            if (frame.get(start + i) != TYPE_PREFIX[i]) {
                return "other";
            }
        }
        StringBuilder type = new StringBuilder(12);
        for (int i = start + TYPE_PREFIX.length; i < limit; i++) {
            byte b = frame.get(i);
            if (b == '"') {
                return type.length() == 0 ? "other" : type.toString();
            }
            if ((b < 'a' || b > 'z') && b != '_') {
                return "other";
            }
            type.append((char) b);
        }
        return "other";
    }

    /** A frame type's counter and the bytes a frame of that type starts with: {@code {"type":"<type>"}. */
    private static final class OutType {
        final String type;
        final Counter counter;
        private final byte[] head;

        OutType(String type, Counter counter) {
            this.type = type;
            this.counter = counter;
            this.head = ("{\"type\":\"" + type + "\"").getBytes(StandardCharsets.US_ASCII);
        }

        boolean matches(ByteBuffer frame) {
            int start = frame.position();
            if (frame.limit() - start < head.length) {
                return false;
            }
            for (int i = head.length - 1; i >= TYPE_PREFIX.length; i--) { // the distinct part first
                if (frame.get(start + i) != head[i]) {
                    return false;
                }
            }
            for (int i = 0; i < TYPE_PREFIX.length; i++) {
                if (frame.get(start + i) != head[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
