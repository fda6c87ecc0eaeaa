package io.relay.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.NodeProcess;
import io.relay.testing.Poll;
import io.relay.testing.ProcessCluster;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * F-1: a node killed with SIGKILL leaves no ghosts. With the default node TTL (10 s, refreshed every
 * third of it) the survivors sweep the dead node within 15 s (DESIGN.md, Guarantees): its users'
 * presence entries go, their roster records get a {@code lastLeave}, and every member on the
 * surviving nodes gets exactly one {@code leave} event per departed user and room. A user who is
 * still connected elsewhere stays present, with only the living node in its entry.
 */
class NodeSweepIT {
    /** DESIGN.md: entries of a dead node are gone, and leave events sent, within 15 s (default TTL). */
    private static final Duration SWEEP_BOUND = Duration.ofSeconds(15);
    /** How long after the first leave a second one (a duplicate) would have to show. */
    private static final Duration QUIET = Duration.ofSeconds(2);

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster();

    @Test
    void theUsersOfAKilledNodeLeaveOnceEverywhereWithinOneLivenessPeriod() {
        List<NodeProcess> nodes = cluster.startNodes("sweep", 3, Map.of());
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        NodeProcess victim = nodes.get(2);
        String r1 = Cluster.unique("sweep-one");
        String r2 = Cluster.unique("sweep-two");
        String v1 = "v1-" + r1;
        String v2 = "v2-" + r1;
        String v3 = "v3-" + r1;
        String split = "split-" + r1;

        TestClient wa = cluster.member(a, "wa-" + r1, "Watcher A", r1, r2);
        TestClient wb = cluster.member(b, "wb-" + r1, "Watcher B", r1, r2);
        TestClient splitOnA = cluster.member(a, split, "Split", r1);
        cluster.member(victim, v1, "Victim One", r1, r2);
        cluster.member(victim, v2, "Victim Two", r1);
        cluster.member(victim, v3, "Victim Three", r2);
        cluster.member(victim, split, "Split", r1);
        Map<String, List<TestClient>> members = Map.of(r1, List.of(wa, wb, splitOnA), r2, List.of(wa, wb));
        Map<String, List<String>> everyone = Map.of(
                r1, List.of("wa-" + r1, "wb-" + r1, split, v1, v2),
                r2, List.of("wa-" + r1, "wb-" + r1, v1, v3));
        awaitSettled(everyone);
        assertThat(cluster.presence(r1).get(split).path("nodes"))
                .isEqualTo(Json.obj(a.nodeId(), 1, victim.nodeId(), 1));
        assertLivenessKeys(victim, r1, r2);

        long killed = System.nanoTime();
        victim.kill9();

        Map<String, List<String>> departed = Map.of(r1, List.of(v1, v2), r2, List.of(v1, v3));
        long lastLeave = awaitLeaves(members, departed, killed);
        Poll.until(left(killed), () -> Map.of(r1, cluster.presence(r1).keySet(), r2, cluster.presence(r2).keySet()),
                p -> p.get(r1).equals(Set.of("wa-" + r1, "wb-" + r1, split))
                        && p.get(r2).equals(Set.of("wa-" + r1, "wb-" + r1)),
                "the presence of " + victim.nodeId() + "'s users to be swept from " + r1 + " and " + r2);
        long clean = System.nanoTime();
        System.out.printf("NodeSweepIT: kill -9 of %s -> last leave event after %d ms, presence clean after %d ms%n",
                victim.nodeId(), millis(lastLeave - killed), millis(clean - killed));

        assertThat(cluster.presence(r1).get(split).path("nodes")).as("the split user's entry after the sweep")
                .isEqualTo(Json.obj(a.nodeId(), 1));
        assertLeftInRoster(departed);
        assertNoMoreLeaves(members);
        assertSwept(victim);
    }

    @Test
    void twoNodesKilledAtOnceAreBothSweptWithOneLeavePerUserAndRoom() {
        List<NodeProcess> nodes = cluster.startNodes("sweep2", 4, Map.of());
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        NodeProcess c = nodes.get(2);
        NodeProcess d = nodes.get(3);
        String r1 = Cluster.unique("sweep-pair-one");
        String r2 = Cluster.unique("sweep-pair-two");
        String x1 = "x1-" + r1;
        String x2 = "x2-" + r1;
        String both = "both-" + r1;
        String x4 = "x4-" + r1;

        TestClient wa = cluster.member(a, "wa-" + r1, "Watcher A", r1, r2);
        TestClient wb = cluster.member(b, "wb-" + r1, "Watcher B", r1, r2);
        cluster.member(c, x1, "On C", r1, r2);
        cluster.member(d, x2, "On D", r1);
        cluster.member(c, both, "On C and D", r1, r2);
        cluster.member(d, both, "On C and D", r1, r2);
        cluster.member(d, x4, "Also on D", r2);
        Map<String, List<TestClient>> members = Map.of(r1, List.of(wa, wb), r2, List.of(wa, wb));
        Map<String, List<String>> everyone = Map.of(
                r1, List.of("wa-" + r1, "wb-" + r1, x1, x2, both),
                r2, List.of("wa-" + r1, "wb-" + r1, x1, both, x4));
        awaitSettled(everyone);
        assertThat(cluster.presence(r2).get(both).path("nodes")).isEqualTo(Json.obj(c.nodeId(), 1, d.nodeId(), 1));
        assertLivenessKeys(c, r1, r2);
        assertLivenessKeys(d, r1, r2);

        long killed = System.nanoTime();
        NodeProcess.kill9(List.of(c, d));

        Map<String, List<String>> departed = Map.of(r1, List.of(x1, x2, both), r2, List.of(x1, both, x4));
        long lastLeave = awaitLeaves(members, departed, killed);
        Poll.until(left(killed), () -> Map.of(r1, cluster.presence(r1).keySet(), r2, cluster.presence(r2).keySet()),
                p -> p.get(r1).equals(Set.of("wa-" + r1, "wb-" + r1)) && p.get(r2).equals(Set.of("wa-" + r1, "wb-" + r1)),
                "the presence of both killed nodes' users to be swept");
        long clean = System.nanoTime();
        System.out.printf("NodeSweepIT: kill -9 of %s and %s at once -> last leave event after %d ms, "
                + "presence clean after %d ms%n", c.nodeId(), d.nodeId(), millis(lastLeave - killed), millis(clean - killed));

        assertLeftInRoster(departed);
        assertNoMoreLeaves(members);
        assertSwept(c);
        assertSwept(d);
    }

    /** The presence hashes list every user of every room: all joins have reached Redis. */
    private void awaitSettled(Map<String, List<String>> everyone) {
        everyone.forEach((room, users) -> Poll.until(Duration.ofSeconds(5), () -> cluster.presence(room).keySet(),
                present -> present.equals(Set.copyOf(users)), "the presence hash of " + room + " to list " + users));
    }

    /** The node's liveness key lives with a TTL of at most RELAY_NODE_TTL, and its room set names its rooms. */
    private void assertLivenessKeys(NodeProcess node, String... rooms) {
        String key = "relay:node:" + node.nodeId();
        Poll.until(Duration.ofSeconds(5), () -> cluster.redis().commands().pttl(key), ttl -> ttl > 0 && ttl <= 10_000,
                "a TTL of at most 10 s on " + key);
        Poll.until(Duration.ofSeconds(5), () -> cluster.redis().commands().smembers(key + ":rooms"),
                set -> set.containsAll(List.of(rooms)), key + ":rooms to hold " + List.of(rooms));
    }

    /**
     * Waits, until {@link #SWEEP_BOUND} after the kill, for one leave event per departed user and
     * room at every member of that room; returns when the last one had arrived.
     */
    private static long awaitLeaves(Map<String, List<TestClient>> members, Map<String, List<String>> departed,
                                    long killed) {
        departed.forEach((room, users) -> {
            for (TestClient member : members.get(room)) {
                for (String user : users) {
                    JsonNode leave = member.await(Frames.presence(room, "leave", user), left(killed),
                            "the leave event of " + user + " in " + room + " within " + SWEEP_BOUND.toSeconds()
                                    + " s of the kill");
                    assertThat(leave.path("user").path("id").asText()).isEqualTo(user);
                    assertThat(leave.path("ts").isIntegralNumber()).as("ts of %s", leave).isTrue();
                }
            }
        });
        return System.nanoTime();
    }

    private void assertLeftInRoster(Map<String, List<String>> departed) {
        departed.forEach((room, users) -> {
            Map<String, JsonNode> roster = cluster.roster(room);
            for (String user : users) {
                JsonNode record = roster.get(user);
                assertThat(record).as("roster record of %s in %s", user, room).isNotNull();
                assertThat(record.path("lastLeave").isIntegralNumber())
                        .as("lastLeave of %s in %s: %s", user, room, record).isTrue();
                assertThat(record.path("lastLeave").asLong()).as("lastLeave >= lastJoin in %s", record)
                        .isGreaterThanOrEqualTo(record.path("lastJoin").asLong());
            }
        });
    }

    /** No member gets any further leave event: neither a duplicate nor one for a user still present. */
    private static void assertNoMoreLeaves(Map<String, List<TestClient>> members) {
        Map<TestClient, Set<String>> roomsOf = new LinkedHashMap<>();
        members.forEach((room, clients) -> clients.forEach(
                c -> roomsOf.computeIfAbsent(c, k -> new HashSet<>()).add(room)));
        Predicate<JsonNode> anyLeave = f -> Frames.type("presence").test(f) && "leave".equals(f.path("event").asText())
                && members.containsKey(f.path("room").asText());
        TestClient.assertNoFrame(new ArrayList<>(roomsOf.keySet()), anyLeave, QUIET);
    }

    /** The dead node's liveness key has expired and its room set is gone (it holds no presence any more). */
    private void assertSwept(NodeProcess node) {
        String key = "relay:node:" + node.nodeId();
        assertThat(cluster.redis().commands().exists(key)).as("%s after the sweep", key).isZero();
        Poll.until(Duration.ofSeconds(2), () -> cluster.redis().commands().exists(key + ":rooms"), n -> n == 0,
                key + ":rooms to be gone after the sweep");
    }

    private static Duration left(long killed) {
        return Duration.ofNanos(Math.max(0, killed + SWEEP_BOUND.toNanos() - System.nanoTime()));
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
