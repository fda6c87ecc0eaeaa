package io.relay.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.relay.hub.Hub;
import io.relay.hub.Lanes;
import io.relay.session.Sessions;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's meters, named the Prometheus way ({@code relay_connections},
 * {@code relay_frames_in_total}...). Counters are made once and reused: nothing is looked up by
 * name on the frame path. Labels are closed sets (frame types, close reasons): never user input.
 */
final class Metrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
    private final Map<String, Counter> closes = new ConcurrentHashMap<>();

    Metrics(MeterRegistry registry, Sessions sessions, Hub hub, Lanes lanes) {
        this.registry = registry;
        Gauge.builder("relay.connections", sessions, Sessions::count)
                .description("open client connections on this node").register(registry);
        Gauge.builder("relay.rooms", hub, Hub::roomCount)
                .description("rooms with at least one local member").register(registry);
        FunctionCounter.builder("relay.lane.rejected", lanes, Lanes::rejected)
                .description("work refused because a lane's queue was full (frames not delivered)").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** One client frame of {@code type} (a client frame type, or {@code invalid}). */
    void frameIn(String type) {
        framesIn.computeIfAbsent(type, t -> Counter.builder("relay.frames.in").tag("type", t)
                .description("client frames received, by type").register(registry)).increment();
    }

    /** A connection closed, for {@code reason}: a close code's name, or {@code client} when the client or network ended it. */
    void closed(String reason) {
        String label = reason.toLowerCase(Locale.ROOT);
        closes.computeIfAbsent(label, r -> Counter.builder("relay.closes").tag("reason", r)
                .description("closed connections, by reason").register(registry)).increment();
    }
}
