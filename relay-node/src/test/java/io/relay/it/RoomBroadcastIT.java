package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Room publish across three nodes: everyone gets everything once, in one order, from the real sender. */
class RoomBroadcastIT {
    private static final int PUBLISHERS = 3;
    private static final int PER_PUBLISHER = 100;
    private static final Duration QUIET = Duration.ofMillis(700);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        // every frame counts against the rate limit; this class measures delivery, not limiting
        cluster = Cluster.start(3, b -> b.rate(5_000).burst(5_000));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @AfterEach
    void closeClients() {
        cluster.closeClients();
    }

    @Test
    void concurrentPublishersOnThreeNodesReachEveryMemberOnceInOneOrder() throws Exception {
        String room = Cluster.unique("broadcast");
        List<TestClient> publishers = new ArrayList<>();
        List<TestClient> members = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
            TestClient publisher = cluster.connect(node, "pub" + node + "-" + room, "Publisher " + node);
            publishers.add(publisher);
            members.add(publisher);
            members.add(cluster.connect(node, "listener" + node + "-" + room, "Listener " + node));
        }
        members.forEach(m -> m.join(room));

        Map<String, String> ackOffsets = publishConcurrently(room, publishers);

        List<String> reference = null;
        for (TestClient member : members) {
            List<JsonNode> got = member.awaitAll(Frames.message(room), PUBLISHERS * PER_PUBLISHER,
                    Duration.ofSeconds(30), "messages of " + room);
            List<String> offsets = checkMessages(member, got, ackOffsets);
            if (reference == null) {
                reference = offsets;
            } else {
                assertThat(offsets).as("%s sees the same sequence as %s", member, members.get(0))
                        .containsExactlyElementsOf(reference);
            }
        }
        TestClient.assertNoFrame(members, Frames.message(room), QUIET);
    }

    @Test
    void messagesStayInTheirRoom() {
        String roomA = Cluster.unique("room-a");
        String roomB = Cluster.unique("room-b");
        List<TestClient> inA = new ArrayList<>();
        List<TestClient> inB = new ArrayList<>();
        List<TestClient> inNone = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
            TestClient a = cluster.connect(node, "a" + node + "-" + roomA, "A" + node);
            a.join(roomA);
            inA.add(a);
            TestClient b = cluster.connect(node, "b" + node + "-" + roomB, "B" + node);
            b.join(roomB);
            inB.add(b);
            TestClient idle = cluster.connect(node, "idle" + node + "-" + roomA, "Idle" + node);
            idle.ping();
            inNone.add(idle);
        }

        JsonNode ack = inA.get(0).publish(roomA, Json.obj("text", "only for A"));

        for (TestClient a : inA) {
            JsonNode message = a.await(Frames.message(roomA));
            assertThat(message.path("offset").asText()).isEqualTo(ack.path("offset").asText());
        }
        TestClient.assertNoFrame(concat(inB, inNone), Frames.anyMessage(), QUIET);
    }

    @Test
    void clientSuppliedSenderAndTimestampAreIgnoredOnEveryNode() {
        String room = Cluster.unique("spoof");
        String mallory = "mallory-" + room;
        TestClient publisher = cluster.connect(0, mallory, "Mallory");
        List<TestClient> members = new ArrayList<>(List.of(publisher));
        for (int node = 0; node < 3; node++) {
            members.add(cluster.connect(node, "witness" + node + "-" + room, "Witness " + node));
        }
        members.forEach(m -> m.join(room));

        long before = System.currentTimeMillis();
        JsonNode frame = Json.obj("type", "publish", "id", "spoof-1", "room", room, "data", Json.obj("text", "hi"),
                "from", Json.obj("id", "victim", "name", "Victim"), "sender", "victim", "ts", 1);
        JsonNode ack = publisher.request(frame);
        publisher.expectType(ack, "ack");
        JsonNode stringFrom = Json.obj("type", "publish", "id", "spoof-2", "room", room, "data", "second",
                "from", "victim", "ts", 1);
        publisher.expectType(publisher.request(stringFrom), "ack");
        long after = System.currentTimeMillis();

        for (TestClient member : members) {
            for (JsonNode message : member.awaitAll(Frames.message(room), 2, TestClient.DEFAULT_TIMEOUT, "messages")) {
                assertThat(message.path("from")).as("from seen by %s", member)
                        .isEqualTo(Json.obj("id", mallory, "name", "Mallory"));
                assertThat(message.has("sender")).as("sender field seen by %s", member).isFalse();
                assertThat(message.path("ts").asLong()).as("server timestamp seen by %s", member)
                        .isBetween(before - 5_000, after + 5_000);
            }
        }
    }

    @Test
    void aPublishRepeatedWithTheSameKeyIsDeliveredOnce() {
        String room = Cluster.unique("idempotent");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        TestClient member = cluster.connect(2, "member-" + room, "Member");
        publisher.join(room);
        member.join(room);

        JsonNode first = publisher.request(Json.obj("type", "publish", "id", "a", "room", room, "data", "once",
                "key", "key-1"));
        JsonNode repeat = publisher.request(Json.obj("type", "publish", "id", "b", "room", room, "data", "once",
                "key", "key-1"));
        JsonNode other = publisher.request(Json.obj("type", "publish", "id", "c", "room", room, "data", "twice",
                "key", "key-2"));

        publisher.expectType(first, "ack");
        publisher.expectType(repeat, "ack");
        publisher.expectType(other, "ack");
        assertThat(repeat.path("offset").asText()).as("the repeat is acked with the first offset")
                .isEqualTo(first.path("offset").asText());
        assertThat(other.path("offset").asText()).isNotEqualTo(first.path("offset").asText());
        for (TestClient client : List.of(member, publisher)) {
            List<JsonNode> got = client.awaitAll(Frames.message(room), 2, TestClient.DEFAULT_TIMEOUT, "messages");
            assertThat(got).extracting(m -> m.path("data").asText()).as("seen by %s", client)
                    .containsExactly("once", "twice");
        }
        TestClient.assertNoFrame(List.of(member, publisher), Frames.message(room), QUIET);
    }

    /** Each publisher sends its messages from its own thread; returns ack offsets by "publisher/n". */
    private static Map<String, String> publishConcurrently(String room, List<TestClient> publishers)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(publishers.size());
        try {
            List<CompletableFuture<Void>> sends = new ArrayList<>();
            for (int p = 0; p < publishers.size(); p++) {
                TestClient publisher = publishers.get(p);
                int index = p;
                sends.add(CompletableFuture.runAsync(() -> {
                    for (int n = 0; n < PER_PUBLISHER; n++) {
                        publisher.send(Json.obj("type", "publish", "id", index + "/" + n, "room", room,
                                "data", Json.obj("p", index, "n", n)));
                    }
                }, pool));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        Map<String, String> offsets = new HashMap<>();
        for (int p = 0; p < publishers.size(); p++) {
            List<JsonNode> acks = publishers.get(p).awaitAll(Frames.type("ack"), PER_PUBLISHER,
                    Duration.ofSeconds(30), "acks");
            for (JsonNode ack : acks) {
                assertThat(ack.path("offset").isTextual()).as("ack offset is a string: %s", ack).isTrue();
                offsets.put(ack.path("id").asText(), ack.path("offset").asText());
            }
        }
        assertThat(offsets).hasSize(PUBLISHERS * PER_PUBLISHER);
        assertThat(new HashSet<>(offsets.values())).as("distinct offsets").hasSize(PUBLISHERS * PER_PUBLISHER);
        return offsets;
    }

    /** Every message exactly once, well-formed, with the offset its publisher was acked; returns the offsets. */
    private static List<String> checkMessages(TestClient member, List<JsonNode> got, Map<String, String> acked) {
        Set<String> seen = new HashSet<>();
        List<String> offsets = new ArrayList<>();
        for (JsonNode m : got) {
            int p = m.path("data").path("p").asInt(-1);
            String key = p + "/" + m.path("data").path("n").asInt(-1);
            assertThat(seen.add(key)).as("%s got %s twice", member, key).isTrue();
            assertThat(m.path("offset").asText()).as("%s: offset of %s equals its ack", member, key)
                    .isEqualTo(acked.get(key));
            assertThat(m.path("from").path("id").asText()).as("sender of %s", key)
                    .startsWith("pub" + p + "-");
            assertThat(m.path("ts").isIntegralNumber()).as("ts of %s", key).isTrue();
            offsets.add(m.path("offset").asText());
        }
        assertThat(seen).as("%s got every message", member).hasSize(PUBLISHERS * PER_PUBLISHER);
        return offsets;
    }

    private static List<TestClient> concat(List<TestClient> a, List<TestClient> b) {
        List<TestClient> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
