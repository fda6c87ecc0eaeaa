package io.relay.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.NodeProcess;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Steps shared by the Redis outage and pause ITs: publishing that must fail fast, and recovery. */
final class RedisFaults {
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();

    private RedisFaults() {
    }

    /** Publishes and asserts the reply is error {@code unavailable}, within {@code bound}; returns how long it took. */
    static Duration expectUnavailable(TestClient client, String room, Duration bound) {
        String id = "down-" + ATTEMPTS.incrementAndGet();
        long sent = System.nanoTime();
        JsonNode reply = client.request(Json.obj("type", "publish", "id", id, "room", room,
                "data", Json.obj("n", id)), bound);
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        assertThat(reply.path("type").asText()).as("reply to a publish while Redis is away: %s", reply)
                .isEqualTo("error");
        assertThat(reply.path("code").asText()).as("reply to a publish while Redis is away: %s", reply)
                .isEqualTo("unavailable");
        return took;
    }

    /**
     * Publishes {@code {"n":"<marker>-<k>"}} again and again (each attempt waits up to 3 s for its
     * reply) until one is acked, within {@code timeout}; returns the acked marker.
     */
    static String publishUntilAcked(TestClient client, String room, String marker, Duration timeout) {
        return Poll.until(timeout, () -> {
            String n = marker + "-" + ATTEMPTS.incrementAndGet();
            JsonNode reply = client.request(Json.obj("type", "publish", "id", n, "room", room, "data", Json.obj("n", n)),
                    Duration.ofSeconds(3));
            return "ack".equals(reply.path("type").asText()) ? n : null;
        }, n -> n != null, client + " to get a publish to " + room + " acked");
    }

    /** A room message whose {@code data.n} is {@code n}. */
    static Predicate<JsonNode> message(String room, String n) {
        return f -> Frames.message(room).test(f) && n.equals(f.path("data").path("n").asText(null));
    }

    /** Every node answers {@code /readyz} with {@code status}, within {@code timeout}. */
    static void awaitReadiness(List<NodeProcess> nodes, int status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (NodeProcess node : nodes) {
            Poll.until(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                    () -> node.status("/readyz", Duration.ofSeconds(1)), s -> s == status,
                    "/readyz of " + node.nodeId() + " to answer " + status);
        }
    }

    /** The time left until {@code start + bound}. */
    static Duration left(long start, Duration bound) {
        return Duration.ofNanos(Math.max(0, start + bound.toNanos() - System.nanoTime()));
    }
}
