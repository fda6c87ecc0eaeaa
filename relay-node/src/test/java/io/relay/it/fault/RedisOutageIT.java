package io.relay.it.fault;

import static io.relay.it.fault.RedisFaults.awaitReadiness;
import static io.relay.it.fault.RedisFaults.expectUnavailable;
import static io.relay.it.fault.RedisFaults.left;
import static io.relay.it.fault.RedisFaults.message;
import static io.relay.it.fault.RedisFaults.publishUntilAcked;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.ScriptOutputType;
import io.relay.testing.Cluster;
import io.relay.testing.Json;
import io.relay.testing.NodeProcess;
import io.relay.testing.Poll;
import io.relay.testing.ProcessCluster;
import io.relay.testing.RedisKeys;
import io.relay.testing.TestClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * F-3: Redis goes away and comes back empty on the same port. Meanwhile a publish is answered
 * {@code unavailable} within the command timeout, {@code /readyz} says 503, and clients stay
 * connected. Afterwards, without any client reconnecting, the nodes heal by themselves: rooms work
 * across nodes, presence is rebuilt, readiness returns, and a message written into the room while
 * the nodes' subscriptions were down reaches every member exactly once (DESIGN.md: a Redis blip
 * loses nothing).
 */
class RedisOutageIT {
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration UNAVAILABLE_BOUND = REDIS_TIMEOUT.plusSeconds(1);
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(15);
    /** Redis stays down at least this long: several command timeouts, and Lettuce's reconnect backoff grows. */
    private static final Duration OUTAGE = Duration.ofSeconds(3);

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster();

    @Test
    void anOutageFailsPublishesFastKeepsClientsAndHealsWithoutReconnectsLosingNothing() {
        List<NodeProcess> nodes = cluster.startNodes("outage", 2, Map.of("RELAY_REDIS_TIMEOUT", "1s"));
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        String room = Cluster.unique("outage");
        String onA = "oa-" + room;
        String onB = "ob-" + room;
        TestClient ca = cluster.member(a, onA, "On A", room);
        TestClient cb = cluster.member(b, onB, "On B", room);
        String before = publishUntilAcked(ca, room, "before", Duration.ofSeconds(5));
        cb.await(message(room, before));

        cluster.redis().stop();
        long stopped = System.nanoTime();
        Duration first = expectUnavailable(ca, room, UNAVAILABLE_BOUND);
        expectUnavailable(cb, room, UNAVAILABLE_BOUND);
        awaitReadiness(nodes, 503, Duration.ofSeconds(5));
        ca.ping();
        cb.ping();
        Poll.during(left(stopped, OUTAGE), () -> !ca.isClosed() && !cb.isClosed(),
                "clients stay connected while Redis is down");
        Duration late = expectUnavailable(cb, room, UNAVAILABLE_BOUND);
        System.out.printf("RedisOutageIT: publishes answered 'unavailable' after %d ms (at once) and %d ms (%d ms "
                + "into the outage)%n", first.toMillis(), late.toMillis(), (System.nanoTime() - stopped) / 1_000_000);

        cluster.redis().restart();
        long restarted = System.nanoTime();
        String writerOffset = writeAsServer(room);

        awaitReadiness(nodes, 200, left(restarted, RECOVERY_BOUND));
        String after = publishUntilAcked(ca, room, "after", left(restarted, RECOVERY_BOUND));
        cb.await(message(room, after), left(restarted, RECOVERY_BOUND));
        Poll.until(left(restarted, RECOVERY_BOUND), () -> cluster.presence(room),
                p -> p.keySet().equals(Set.of(onA, onB))
                        && p.get(onA).path("nodes").equals(Json.obj(a.nodeId(), 1))
                        && p.get(onB).path("nodes").equals(Json.obj(b.nodeId(), 1)),
                "the presence of " + room + " to be rebuilt in the empty Redis");
        for (TestClient member : List.of(ca, cb)) {
            JsonNode written = member.await(message(room, "writer"), left(restarted, RECOVERY_BOUND),
                    "the message written into " + room + " right after Redis came back (offset " + writerOffset + ")");
            assertThat(written.path("from").path("id").asText()).isEqualTo("$server");
        }
        System.out.printf("RedisOutageIT: healed %d ms after Redis restarted%n",
                (System.nanoTime() - restarted) / 1_000_000);
        TestClient.assertNoFrame(List.of(ca, cb), message(room, "writer"), Duration.ofSeconds(1));
        assertThat(ca.isClosed() || cb.isClosed()).as("clients closed (reconnect needed) after the outage").isFalse();
        ca.ping();
        cb.ping();
    }

    /**
     * A server-side writer's publish through the node's own publish script, straight into Redis,
     * as the nodes' subscriptions may still be down. Returns the offset it got.
     */
    private String writeAsServer(String room) {
        String prefix = "{\"type\":\"message\",\"room\":\"" + room + "\",\"from\":{\"id\":\"$server\"},"
                + "\"data\":{\"n\":\"writer\"},\"ts\":" + System.currentTimeMillis() + ",\"offset\":\"";
        String[] keys = {"relay:{" + room + "}:meta", "relay:{" + room + "}:history", "relay:{" + room + "}:dedup:"};
        List<Object> result = cluster.redis().commands().eval(publishScript(), ScriptOutputType.MULTI, keys,
                RedisKeys.roomChannel(room), prefix, "wEpoch01", "1000", "86400000", "", "300000");
        assertThat(result).as("publish.lua result").hasSize(2);
        return String.valueOf(result.get(0));
    }

    /** publish.lua behind its prelude, as the node loads it. */
    private static String publishScript() {
        return script("room_position") + script("publish");
    }

    private static String script(String name) {
        String path = "/io/relay/lua/" + name + ".lua";
        try (InputStream in = RedisOutageIT.class.getResourceAsStream(path)) {
            assertThat(in).as(path + " on the class path").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + path, e);
        }
    }
}
