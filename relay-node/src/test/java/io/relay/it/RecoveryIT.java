package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.KillArgs;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.RedisKeys;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resuming with {@code since} (PROTOCOL.md, Resuming after a reconnect) on another node than the
 * one the client left, and the DESIGN.md guarantee that a broken pub/sub link loses nothing.
 */
class RecoveryIT {
    /** Small, so that trimming is easy to provoke (Redis may trim approximately, in blocks of ~100). */
    private static final int HISTORY_SIZE = 10;

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(3, b -> b.historySize(HISTORY_SIZE).rate(5_000).burst(5_000));
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
    void resumingOnAnotherNodeDeliversTheMissedMessagesThenLiveOnesWithoutGapOrDuplicate() {
        String room = Cluster.unique("resume");
        String reader = "reader-" + room;
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        TestClient first = cluster.connect(1, reader, "Reader");
        first.join(room);
        publishNumbered(publisher, room, 0, 3);
        List<JsonNode> seen = first.awaitAll(Frames.message(room), 3, TestClient.DEFAULT_TIMEOUT, "messages");
        String last = seen.get(2).path("offset").asText();
        first.close();

        publishNumbered(publisher, room, 3, 8);
        TestClient again = cluster.connect(2, reader, "Reader");
        again.send(Json.obj("type", "join", "id", "resume", "room", room, "since", last));
        // live traffic races with the resume: it must neither be lost nor repeated
        sendNumbered(publisher, room, 8, 10);

        JsonNode joined = again.await(Frames.id(Json.MAPPER.getNodeFactory().textNode("resume")));
        again.expectType(joined, "joined");
        assertThat(joined.path("recovered").asBoolean(false)).as("joined %s", joined).isTrue();
        assertThat(joined.path("missed").asInt(-1)).as("joined %s", joined).isBetween(5, 7);
        List<JsonNode> messages = again.awaitAll(Frames.message(room), 7, TestClient.DEFAULT_TIMEOUT, "messages");
        assertThat(numbers(messages)).containsExactlyElementsOf(range(3, 10));
        List<JsonNode> order = again.received();
        assertThat(indexOf(order, joined)).as("joined comes before the missed messages").isLessThan(
                indexOf(order, messages.get(0)));
        again.assertNoFrame(Frames.message(room), Duration.ofMillis(500));
    }

    @Test
    void resumingFromTheNewestOffsetMissesNothing() {
        String room = Cluster.unique("resume-newest");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        List<String> offsets = publishNumbered(publisher, room, 0, 3);

        TestClient client = cluster.connect(1, "reader-" + room, "Reader");
        JsonNode joined = client.call("type", "join", "room", room, "since", offsets.get(2));

        client.expectType(joined, "joined");
        assertThat(joined.path("recovered").asBoolean(false)).as("joined %s", joined).isTrue();
        assertThat(joined.path("missed").asInt(-1)).as("joined %s", joined).isZero();
        assertThat(joined.path("offset").asText()).as("the room's current offset").isEqualTo(offsets.get(2));
        client.assertNoFrame(Frames.message(room), Duration.ofMillis(500));
    }

    @Test
    void theOffsetOfAnEmptyRoomIsAValidSince() {
        String room = Cluster.unique("resume-empty");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        String start = publisher.join(room).path("offset").asText();
        publishNumbered(publisher, room, 0, 3);

        TestClient client = cluster.connect(2, "reader-" + room, "Reader");
        JsonNode joined = client.call("type", "join", "room", room, "since", start);

        assertThat(joined.path("recovered").asBoolean(false)).as("joined %s", joined).isTrue();
        assertThat(joined.path("missed").asInt(-1)).as("joined %s", joined).isEqualTo(3);
        assertThat(numbers(client.awaitAll(Frames.message(room), 3, TestClient.DEFAULT_TIMEOUT, "messages")))
                .containsExactly(0, 1, 2);
    }

    @Test
    void anOffsetTrimmedOutOfHistoryIsNotRecovered() {
        String room = Cluster.unique("resume-trimmed");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        List<String> offsets = publishNumbered(publisher, room, 0, 300);
        assertThat(cluster.redis().commands().xlen("relay:{" + room + "}:history"))
                .as("history is bounded by historySize %d (approximately)", HISTORY_SIZE).isLessThan(300);

        TestClient client = cluster.connect(1, "reader-" + room, "Reader");
        JsonNode joined = client.call("type", "join", "room", room, "since", offsets.get(0));

        client.expectType(joined, "joined");
        assertThat(joined.path("recovered").isBoolean()).as("joined %s", joined).isTrue();
        assertThat(joined.path("recovered").asBoolean()).as("joined %s", joined).isFalse();
    }

    @Test
    void anOffsetOfAnEarlierIncarnationOfTheRoomIsNotRecovered() {
        String room = Cluster.unique("resume-epoch");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        String old = publishNumbered(publisher, room, 0, 3).get(0);
        publisher.close();
        // what an eviction or expiry does to a quiet room: its history and epoch are gone
        cluster.redis().commands().del("relay:{" + room + "}:history", "relay:{" + room + "}:meta");

        TestClient reborn = cluster.connect(1, "pub2-" + room, "Pub");
        reborn.join(room);
        publishNumbered(reborn, room, 10, 12);
        TestClient client = cluster.connect(2, "reader-" + room, "Reader");
        JsonNode joined = client.call("type", "join", "room", room, "since", old);

        client.expectType(joined, "joined");
        assertThat(joined.path("recovered").isBoolean()).as("joined %s", joined).isTrue();
        assertThat(joined.path("recovered").asBoolean()).as("an offset of the old epoch: %s", joined).isFalse();
    }

    @Test
    void messagesPublishedWhileThePubSubLinkIsBrokenStillArriveInOrder() {
        String room = Cluster.unique("blip");
        List<TestClient> members = new ArrayList<>();
        for (int node = 0; node < 2; node++) {
            TestClient member = cluster.connect(node, "member" + node + "-" + room, "Member");
            member.join(room);
            members.add(member);
        }
        TestClient publisher = cluster.connect(2, "pub-" + room, "Pub");
        publisher.join(room);
        publishNumbered(publisher, room, 0, 2);

        Long killed = cluster.redis().commands().clientKill(KillArgs.Builder.typePubsub());
        assertThat(killed).as("pub/sub connections killed").isGreaterThanOrEqualTo(3);
        // published while the nodes' pub/sub links are down or just coming back
        publishNumbered(publisher, room, 2, 22);
        // and once every node holds the room channel again, live traffic
        Poll.until(Duration.ofSeconds(15), () -> cluster.numsub(RedisKeys.roomChannel(room)), n -> n == 3,
                "all three nodes to resubscribe to " + RedisKeys.roomChannel(room));
        publishNumbered(publisher, room, 22, 24);

        // wait for everyone first, then compare, so a failure shows what each node delivered
        Map<String, List<Integer>> delivered = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (TestClient member : concat(members, publisher)) {
            try {
                member.awaitAll(Frames.message(room), 24, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                        "messages");
            } catch (AssertionError incomplete) {
                // reported below with the numbers that did arrive
            }
            delivered.put(member.toString(), numbers(member.received().stream().filter(Frames.message(room)).toList()));
        }
        assertThat(delivered).as("message numbers delivered per connection after the pub/sub links broke")
                .allSatisfy((member, numbers) -> assertThat(numbers).as(member).containsExactlyElementsOf(range(0, 24)));
        TestClient.assertNoFrame(concat(members, publisher), Frames.message(room), Duration.ofMillis(500));
    }

    /** Publishes {@code {"n":from}} .. {@code {"n":to-1}} and returns the acked offsets in order. */
    private static List<String> publishNumbered(TestClient publisher, String room, int from, int to) {
        sendNumbered(publisher, room, from, to);
        List<String> offsets = new ArrayList<>();
        for (int n = from; n < to; n++) {
            JsonNode ack = publisher.await(Frames.id(Json.MAPPER.getNodeFactory().textNode("n" + n)),
                    Duration.ofSeconds(10), "ack n" + n);
            offsets.add(publisher.expectType(ack, "ack").path("offset").asText());
        }
        return offsets;
    }

    private static void sendNumbered(TestClient publisher, String room, int from, int to) {
        for (int n = from; n < to; n++) {
            publisher.send(Json.obj("type", "publish", "id", "n" + n, "room", room, "data", Json.obj("n", n)));
        }
    }

    private static List<Integer> numbers(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("data").path("n").asInt(-1)).toList();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    private static int indexOf(List<JsonNode> frames, JsonNode frame) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) == frame) {
                return i;
            }
        }
        return -1;
    }

    private static List<TestClient> concat(List<TestClient> some, TestClient one) {
        List<TestClient> all = new ArrayList<>(some);
        all.add(one);
        return all;
    }
}
