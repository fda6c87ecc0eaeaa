package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code history}: newest {@code limit} without {@code since}, the first {@code limit} after it, at most 500. */
class HistoryIT {
    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        // publishes come in bursts of hundreds here; the rate limit is another test's subject
        cluster = Cluster.start(2, b -> b.rate(5_000).burst(5_000));
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
    void withoutSinceTheNewestLimitMessagesComeOldestFirst() {
        String room = Cluster.unique("history-newest");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        List<String> offsets = publishNumbered(publisher, room, 10);
        TestClient reader = cluster.connect(1, "reader-" + room, "Reader");
        reader.join(room);

        JsonNode reply = reader.request(Json.obj("type", "history", "id", "h1", "room", room, "limit", 3));

        assertThat(reply.path("type").asText()).as("reply %s", reply).isEqualTo("history");
        assertThat(reply.path("room").asText()).isEqualTo(room);
        assertThat(numbers(reply)).containsExactly(7, 8, 9);
        for (JsonNode m : reply.path("messages")) {
            int n = m.path("data").path("n").asInt();
            assertThat(m.path("type").asText()).isEqualTo("message");
            assertThat(m.path("room").asText()).isEqualTo(room);
            assertThat(m.path("from")).isEqualTo(Json.obj("id", "pub-" + room, "name", "Pub"));
            assertThat(m.path("ts").isIntegralNumber()).as("ts of %s", m).isTrue();
            assertThat(m.path("offset").asText()).as("offset of message %d", n).isEqualTo(offsets.get(n));
        }

        JsonNode all = reader.call("type", "history", "room", room);
        assertThat(numbers(all)).as("default limit 50 covers all 10").containsExactlyElementsOf(range(0, 10));
    }

    @Test
    void historyEqualsWhatMembersReceivedLive() {
        String room = Cluster.unique("history-live");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        TestClient member = cluster.connect(1, "member-" + room, "Member");
        publisher.join(room);
        member.join(room);
        publishNumbered(publisher, room, 5);
        List<JsonNode> live = member.awaitAll(Frames.message(room), 5, TestClient.DEFAULT_TIMEOUT, "messages");

        JsonNode reply = member.call("type", "history", "room", room, "limit", 5);

        List<JsonNode> stored = new ArrayList<>();
        reply.path("messages").forEach(stored::add);
        assertThat(stored).containsExactlyElementsOf(live);
    }

    @Test
    void sincePagesForwardExclusively() {
        String room = Cluster.unique("history-since");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        JsonNode joined = publisher.join(room);
        String start = joined.path("offset").asText();
        List<String> offsets = publishNumbered(publisher, room, 10);
        TestClient reader = cluster.connect(1, "reader-" + room, "Reader");
        reader.join(room);

        assertThat(numbers(history(reader, room, start, 2))).as("from the empty room's offset").containsExactly(0, 1);
        assertThat(numbers(history(reader, room, offsets.get(2), 3))).containsExactly(3, 4, 5);
        assertThat(numbers(history(reader, room, offsets.get(5), 10))).containsExactly(6, 7, 8, 9);
        assertThat(numbers(history(reader, room, offsets.get(9), 10))).as("nothing after the newest").isEmpty();

        // paging through everything, three at a time, from the joined offset
        List<Integer> paged = new ArrayList<>();
        String since = start;
        for (int page = 0; page < 10 && paged.size() < 10; page++) {
            JsonNode reply = history(reader, room, since, 3);
            paged.addAll(numbers(reply));
            JsonNode messages = reply.path("messages");
            since = messages.get(messages.size() - 1).path("offset").asText();
        }
        assertThat(paged).containsExactlyElementsOf(range(0, 10));
    }

    /** docs/protocol.md: a {@code since} of an older epoch (history expired and started again) pages from the start. */
    @Test
    void aSinceOfAnOlderEpochPagesFromTheStartOfTheCurrentOne() {
        String room = Cluster.unique("history-epoch");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        List<String> offsets = publishNumbered(publisher, room, 5);
        String third = offsets.get(2);
        String olderEpoch = (third.startsWith("a") ? "b" : "a") + third.substring(1, third.indexOf(':'));
        String sameSeqInOlderEpoch = olderEpoch + third.substring(third.indexOf(':'));

        assertThat(numbers(history(publisher, room, sameSeqInOlderEpoch, 2)))
                .as("a position in another epoch is not a position in this one").containsExactly(0, 1);
        assertThat(numbers(history(publisher, room, third, 2))).as("the same seq in this epoch").containsExactly(3, 4);
    }

    @Test
    void limitIsCutTo500() {
        String room = Cluster.unique("history-limit");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        publishNumbered(publisher, room, 520);

        JsonNode reply = publisher.request(Json.obj("type", "history", "id", "big", "room", room, "limit", 100_000),
                Duration.ofSeconds(10));

        assertThat(reply.path("type").asText()).as("reply type").isEqualTo("history");
        assertThat(numbers(reply)).containsExactlyElementsOf(range(20, 520));
    }

    @Test
    void historyOfARoomNotJoinedIsNotMember() {
        String room = Cluster.unique("history-private");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        publishNumbered(publisher, room, 2);
        TestClient outsider = cluster.connect(1, "outsider-" + room, "Outsider");

        JsonNode reply = outsider.request(Json.obj("type", "history", "id", "h-out", "room", room));
        assertThat(reply.path("type").asText()).as("reply %s", reply).isEqualTo("error");
        assertThat(reply.path("code").asText()).isEqualTo("not_member");
        assertThat(reply.has("messages")).isFalse();

        outsider.join(room);
        outsider.leave(room);
        JsonNode afterLeave = outsider.call("type", "history", "room", room);
        assertThat(afterLeave.path("code").asText()).as("history after leave: %s", afterLeave).isEqualTo("not_member");
        outsider.ping();
    }

    /** Publishes {@code {"n":0}} .. {@code {"n":count-1}} and returns their acked offsets, in order. */
    private static List<String> publishNumbered(TestClient publisher, String room, int count) {
        for (int n = 0; n < count; n++) {
            publisher.send(Json.obj("type", "publish", "id", "n" + n, "room", room, "data", Json.obj("n", n)));
        }
        List<String> offsets = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            JsonNode ack = publisher.await(Frames.id(Json.MAPPER.getNodeFactory().textNode("n" + n)),
                    Duration.ofSeconds(20), "ack n" + n);
            publisher.expectType(ack, "ack");
            offsets.add(ack.path("offset").asText());
        }
        return offsets;
    }

    private static JsonNode history(TestClient reader, String room, String since, int limit) {
        JsonNode reply = reader.call("type", "history", "room", room, "since", since, "limit", limit);
        return reader.expectType(reply, "history");
    }

    private static List<Integer> numbers(JsonNode history) {
        List<Integer> numbers = new ArrayList<>();
        history.path("messages").forEach(m -> numbers.add(m.path("data").path("n").asInt(-1)));
        return numbers;
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }
}
