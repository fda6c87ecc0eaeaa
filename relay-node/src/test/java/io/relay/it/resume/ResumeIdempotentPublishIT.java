package io.relay.it.resume;

import static io.relay.testing.ResumeSupport.dataOf;
import static io.relay.testing.ResumeSupport.dedupKey;
import static io.relay.testing.ResumeSupport.historyAfter;
import static io.relay.testing.ResumeSupport.historyNewest;
import static io.relay.testing.ResumeSupport.joinSince;
import static io.relay.testing.ResumeSupport.offsets;
import static io.relay.testing.ResumeSupport.publishNumbered;
import static io.relay.testing.ResumeSupport.seq;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idempotent publish (PROTOCOL.md: a {@code publish} repeated with the same {@code key} in the same
 * room within 5 minutes is not published again, its {@code ack} carries the first offset): what
 * lets a client resend its queued frames after a reconnect without duplicates, on any node, even
 * when several clients race with one key.
 */
class ResumeIdempotentPublishIT {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final Duration DEDUP_WINDOW = Duration.ofMinutes(5);
    private static final int ROUNDS = 10;

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(3, b -> b.rate(10_000).burst(10_000));
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
    void theSameKeyTwiceOnOneConnectionIsOneMessageWithOneOffset() {
        String room = Cluster.unique("idem-same");
        TestClient publisher = member(A, "pub-" + room, room);
        TestClient watcher = member(B, "watch-" + room, room);

        String first = ackOffset(publishKeyed(publisher, room, Json.obj("text", "one"), "k-1"));
        String again = ackOffset(publishKeyed(publisher, room, Json.obj("text", "one, resent"), "k-1"));
        // pipelined: the second is sent before the first is answered
        String p1 = send(publisher, room, Json.obj("text", "two"), "k-2");
        String p2 = send(publisher, room, Json.obj("text", "two, resent"), "k-2");
        String pipelined1 = ackOffset(publisher.await(Frames.id(Json.MAPPER.getNodeFactory().textNode(p1))));
        String pipelined2 = ackOffset(publisher.await(Frames.id(Json.MAPPER.getNodeFactory().textNode(p2))));

        assertThat(again).as("the resent publish's ack").isEqualTo(first);
        assertThat(pipelined2).as("the pipelined resend's ack").isEqualTo(pipelined1);
        assertThat(pipelined1).isNotEqualTo(first);
        String marker = publishMarker(publisher, room);
        for (TestClient member : List.of(watcher, publisher)) {
            List<JsonNode> seen = messagesUntil(member, room, marker);
            assertThat(offsets(seen)).as("messages %s received", member).containsExactly(first, pipelined1);
            assertThat(dataOf(seen)).as("the first publish of each key wins")
                    .containsExactly(Json.obj("text", "one"), Json.obj("text", "two"));
        }
    }

    @Test
    void theSameKeyThroughTwoNodesIsOneMessageWithOneOffset() {
        String room = Cluster.unique("idem-nodes");
        TestClient onA = member(A, "pubA-" + room, room);
        TestClient onB = member(B, "pubB-" + room, room);
        TestClient watcher = member(C, "watch-" + room, room);

        String viaA = ackOffset(publishKeyed(onA, room, Json.obj("via", "A"), "order-17"));
        String viaB = ackOffset(publishKeyed(onB, room, Json.obj("via", "B"), "order-17"));

        assertThat(viaB).as("ack through node B of the key first published through node A").isEqualTo(viaA);
        List<JsonNode> seen = messagesUntilMarker(onA, watcher, room);
        assertThat(offsets(seen)).containsExactly(viaA);
        assertThat(dataOf(seen)).containsExactly(Json.obj("via", "A"));
    }

    @Test
    void theSameKeyFromFiveClientsOnThreeNodesAtOnceIsPublishedOnce() throws Exception {
        String room = Cluster.unique("idem-race");
        List<TestClient> racers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            racers.add(member(i % 3, "racer" + i + "-" + room, room));
        }
        TestClient watcher = cluster.connect(C, "watch-" + room, "Watcher");
        String start = watcher.join(room).path("offset").asText();
        List<String> winners = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(racers.size());
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<JsonNode> acks = race(threads, racers, room, round);
                List<String> acked = acks.stream().map(ResumeIdempotentPublishIT::ackOffset).distinct().toList();
                assertThat(acked).as("round %d: offsets in the five acks %s", round, acks).hasSize(1);
                winners.add(acked.get(0));
            }
        } finally {
            threads.shutdownNow();
        }

        List<JsonNode> seen = messagesUntilMarker(racers.get(0), watcher, room);
        assertThat(offsets(seen)).as("one message per round, the acked one").containsExactlyElementsOf(winners);
        for (int round = 0; round < ROUNDS; round++) {
            assertThat(seen.get(round).path("data").path("round").asInt(-1)).as("data of round %d: %s", round,
                    seen.get(round)).isEqualTo(round);
        }
        assertThat(historyAfter(watcher, room, start, ROUNDS)).as("history holds each round once")
                .containsExactlyElementsOf(seen);
    }

    @Test
    void onceTheDedupRecordIsGoneTheSameKeyPublishesANewMessage() {
        String room = Cluster.unique("idem-window");
        TestClient publisher = member(A, "pub-" + room, room);
        TestClient watcher = member(B, "watch-" + room, room);
        String first = ackOffset(publishKeyed(publisher, room, Json.obj("try", 1), "pay-42"));

        String key = dedupKey(room, "pay-42");
        assertThat(cluster.redis().commands().get(key)).as("%s holds the first offset", key).isEqualTo(first);
        assertThat(cluster.redis().commands().pttl(key)).as("PTTL of %s: the 5 minute window", key)
                .isBetween(DEDUP_WINDOW.minusSeconds(30).toMillis(), DEDUP_WINDOW.toMillis());
        assertThat(ackOffset(publishKeyed(publisher, room, Json.obj("try", 2), "pay-42"))).isEqualTo(first);

        // the end of the 5 minute window, without waiting 5 minutes
        assertThat(cluster.redis().commands().del(key)).isEqualTo(1);
        String second = ackOffset(publishKeyed(publisher, room, Json.obj("try", 3), "pay-42"));
        String third = ackOffset(publishKeyed(publisher, room, Json.obj("try", 4), "pay-42"));

        assertThat(seq(second)).as("a new message after the window: %s after %s", second, first)
                .isGreaterThan(seq(first));
        assertThat(third).as("and the key is remembered again").isEqualTo(second);
        List<JsonNode> seen = messagesUntilMarker(publisher, watcher, room);
        assertThat(offsets(seen)).containsExactly(first, second);
        assertThat(dataOf(seen)).containsExactly(Json.obj("try", 1), Json.obj("try", 3));
    }

    @Test
    void differentKeysAreDifferentMessagesAndAKeyIsPerRoom() {
        String room = Cluster.unique("idem-keys");
        String other = Cluster.unique("idem-keys-other");
        TestClient publisher = member(A, "pub-" + room, room);
        publisher.join(other);
        TestClient watcher = member(B, "watch-" + room, room);

        String k1 = ackOffset(publishKeyed(publisher, room, Json.obj("k", 1), "k1"));
        String k2 = ackOffset(publishKeyed(publisher, room, Json.obj("k", 2), "k2"));
        String elsewhere = ackOffset(publishKeyed(publisher, other, Json.obj("k", 1), "k1"));

        assertThat(k2).isNotEqualTo(k1);
        assertThat(offsets(messagesUntilMarker(publisher, watcher, room))).containsExactly(k1, k2);
        assertThat(elsewhere).as("the same key in another room is another message").isNotEqualTo(k1);
        assertThat(offsets(historyNewest(publisher, other, 10))).containsExactly(elsewhere);
    }

    @Test
    void aKeyLongerThan64CharactersIsABadRequest() {
        String room = Cluster.unique("idem-long");
        TestClient publisher = member(A, "pub-" + room, room);
        TestClient watcher = member(B, "watch-" + room, room);

        for (Object key : List.of("k".repeat(65), "x".repeat(300), "", 42)) {
            JsonNode reply = publishKeyed(publisher, room, Json.obj("key", String.valueOf(key)), key);
            assertThat(reply.path("type").asText()).as("reply to key %s: %s", key, reply).isEqualTo("error");
            assertThat(reply.path("code").asText()).as("reply to key %s: %s", key, reply).isEqualTo("bad_request");
        }
        publisher.ping();
        String longest = ackOffset(publishKeyed(publisher, room, Json.obj("key", "64"), "k".repeat(64)));

        assertThat(offsets(messagesUntilMarker(publisher, watcher, room))).as("only the 64-character key went out")
                .containsExactly(longest);
    }

    @Test
    void aPublishResentAfterAReconnectToAnotherNodeIsNotDuplicated() {
        String room = Cluster.unique("idem-resend");
        String user = "pub-" + room;
        TestClient watcher = member(C, "watch-" + room, room);
        TestClient before = cluster.connect(A, user, "Pub");
        String since = before.join(room).path("offset").asText();
        // sent, and the connection gone before the client could see an ack: did it go through?
        send(before, room, Json.obj("text", "maybe sent"), "draft-1");
        before.close();

        TestClient after = cluster.connect(B, user, "Pub");
        JsonNode joined = joinSince(after, room, since);
        List<JsonNode> replay = after.awaitAll(Frames.message(room), joined.path("missed").asInt(),
                TestClient.DEFAULT_TIMEOUT, "the replay");
        String resent = ackOffset(publishKeyed(after, room, Json.obj("text", "maybe sent"), "draft-1"));

        if (!replay.isEmpty()) {
            assertThat(offsets(replay)).as("the resend's ack names the message already replayed").containsExactly(resent);
        }
        List<JsonNode> seen = messagesUntilMarker(after, watcher, room);
        assertThat(offsets(seen)).as("the watcher got the message once").containsExactly(resent);
        assertThat(offsets(historyAfter(watcher, room, since, 10))).as("history holds it once (then the marker)")
                .hasSize(2).startsWith(resent);
    }

    /** Fires one keyed publish from each racer at the same moment, then collects the replies. */
    private static List<JsonNode> race(ExecutorService threads, List<TestClient> racers, String room, int round)
            throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> sent = new ArrayList<>();
        for (int i = 0; i < racers.size(); i++) {
            TestClient racer = racers.get(i);
            JsonNode data = Json.obj("round", round, "racer", i);
            sent.add(threads.submit(() -> {
                go.await(10, TimeUnit.SECONDS);
                return send(racer, room, data, "race-" + round);
            }));
        }
        go.countDown();
        List<JsonNode> replies = new ArrayList<>();
        for (int i = 0; i < racers.size(); i++) {
            String id = sent.get(i).get(10, TimeUnit.SECONDS);
            replies.add(racers.get(i).await(Frames.id(Json.MAPPER.getNodeFactory().textNode(id))));
        }
        return replies;
    }

    /**
     * Publishes an unkeyed marker through {@code publisher} and returns the messages {@code member}
     * received in {@code room} before it (room order is total, so nothing published earlier can
     * arrive after the marker).
     */
    private static List<JsonNode> messagesUntilMarker(TestClient publisher, TestClient member, String room) {
        return messagesUntil(member, room, publishMarker(publisher, room));
    }

    private static String publishMarker(TestClient publisher, String room) {
        return publishNumbered(publisher, room, Cluster.unique("marker"), 0, 1).get(0).offset();
    }

    /** The messages {@code member} receives in {@code room} before the one at {@code marker}. */
    private static List<JsonNode> messagesUntil(TestClient member, String room, String marker) {
        List<JsonNode> seen = new ArrayList<>();
        while (true) {
            JsonNode next = member.await(Frames.message(room));
            if (marker.equals(next.path("offset").asText())) {
                return seen;
            }
            seen.add(next);
        }
    }

    /** Sends a keyed publish and returns its reply (an ack or an error). */
    private static JsonNode publishKeyed(TestClient client, String room, JsonNode data, Object key) {
        return client.request(Json.obj("type", "publish", "id", client.nextId(), "room", room, "data", data, "key", key));
    }

    /** Sends a keyed publish without waiting for the reply; returns its id. */
    private static String send(TestClient client, String room, JsonNode data, String key) {
        String id = client.nextId();
        client.send(Json.obj("type", "publish", "id", id, "room", room, "data", data, "key", key));
        return id;
    }

    private static String ackOffset(JsonNode reply) {
        assertThat(reply.path("type").asText()).as("reply %s", reply).isEqualTo("ack");
        return reply.path("offset").asText();
    }

    private static TestClient member(int node, String user, String room) {
        TestClient client = cluster.connect(node, user, user);
        client.join(room);
        return client;
    }
}
