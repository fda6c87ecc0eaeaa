package io.relay.it;

import static io.relay.testing.RedisKeys.presence;
import static io.relay.testing.RedisKeys.roster;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presence is per user, cluster-wide: one {@code join} event when the user's first connection
 * enters a room on any node, one {@code leave} when the last one goes, and the Redis presence and
 * roster hashes of DESIGN.md tell who is where.
 */
class PresenceIT {
    private static final Duration QUIET = Duration.ofMillis(800);
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(3);
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
    void twoConnectionsOnTwoNodesAreOneArrivalAndOneDeparture() {
        String room = Cluster.unique("presence");
        String ann = "ann-" + room;
        TestClient watcher = cluster.connect(0, "watcher-" + room, "Watcher");
        watcher.join(room);
        watcher.await(Frames.presence(room, "join", "watcher-" + room));

        TestClient annOnB = cluster.connect(1, ann, "Ann");
        annOnB.join(room);
        JsonNode event = watcher.await(Frames.presence(room, "join", ann));
        assertThat(event.path("user")).isEqualTo(Json.obj("id", ann, "name", "Ann"));
        assertThat(event.path("ts").isIntegralNumber()).as("ts of %s", event).isTrue();
        assertThat(event.has("id")).as("an event carries no id: %s", event).isFalse();
        annOnB.await(Frames.presence(room, "join", ann));

        TestClient annOnC = cluster.connect(2, ann, "Ann");
        JsonNode joined = annOnC.join(room);
        assertThat(memberIds(joined)).containsExactlyInAnyOrder(ann, "watcher-" + room);
        watcher.assertNoFrame(Frames.presenceEvent(room), QUIET);
        annOnB.assertNoFrame(Frames.presenceEvent(room), Duration.ZERO);
        annOnC.assertNoFrame(Frames.presenceEvent(room), Duration.ZERO);

        JsonNode entry = presenceEntry(room, ann);
        assertThat(entry.path("name").asText()).isEqualTo("Ann");
        assertThat(entry.path("nodes")).isEqualTo(Json.obj(cluster.nodeId(1), 1, cluster.nodeId(2), 1));
        assertThat(entry.path("since").isIntegralNumber()).as("since in %s", entry).isTrue();
        JsonNode record = rosterEntry(room, ann);
        assertThat(record.path("joins").asInt()).as("roster %s", record).isEqualTo(1);
        assertThat(record.path("lastLeave").isNull()).as("roster %s", record).isTrue();
        assertThat(record.path("firstJoin").isIntegralNumber()).as("roster %s", record).isTrue();
        assertThat(record.path("lastJoin").isIntegralNumber()).as("roster %s", record).isTrue();

        annOnB.close();
        Poll.until(SETTLE, () -> presenceEntry(room, ann).path("nodes"),
                nodes -> nodes.path(cluster.nodeId(1)).asInt(0) == 0 && nodes.path(cluster.nodeId(2)).asInt() == 1,
                "ann's presence to list only " + cluster.nodeId(2));
        watcher.assertNoFrame(Frames.presenceEvent(room), QUIET);

        annOnC.close();
        JsonNode leave = watcher.await(Frames.presence(room, "leave", ann));
        assertThat(leave.path("user")).isEqualTo(Json.obj("id", ann, "name", "Ann"));
        Poll.until(SETTLE, () -> cluster.redis().commands().hexists(presence(room), ann), present -> !present,
                "ann's field to leave " + presence(room));
        JsonNode after = Poll.until(SETTLE, () -> rosterEntry(room, ann), r -> r.path("lastLeave").isIntegralNumber(),
                "ann's roster lastLeave to be set");
        assertThat(after.path("joins").asInt()).as("roster %s", after).isEqualTo(1);
        watcher.assertNoFrame(Frames.presenceEvent(room), QUIET);
    }

    @Test
    void theJoinerSeesItsOwnJoinEventAfterItsJoinedReply() {
        String room = Cluster.unique("presence-self");
        String ann = "ann-" + room;
        TestClient client = cluster.connect(2, ann, "Ann");
        JsonNode joined = client.join(room);
        JsonNode self = client.await(Frames.presence(room, "join", ann));

        List<JsonNode> order = client.received();
        assertThat(indexOf(order, joined)).as("joined before the own join event; frames %s", order)
                .isLessThan(indexOf(order, self));
        assertThat(memberIds(joined)).containsExactly(ann);
        assertThat(joined.path("room").asText()).isEqualTo(room);
        assertThat(joined.path("offset").isTextual()).as("offset in %s", joined).isTrue();
        assertThat(joined.has("recovered")).as("no recovered without since: %s", joined).isFalse();
        assertThat(joined.has("missed")).as("no missed without since: %s", joined).isFalse();
    }

    @Test
    void twoConnectionsOnOneNodeAreCountedOnThatNode() {
        String room = Cluster.unique("presence-count");
        String ann = "ann-" + room;
        TestClient first = cluster.connect(0, ann, "Ann");
        TestClient second = cluster.connect(0, ann, "Ann");
        first.join(room);
        first.await(Frames.presence(room, "join", ann));
        second.join(room);

        Poll.until(SETTLE, () -> presenceEntry(room, ann).path("nodes"),
                nodes -> nodes.equals(Json.obj(cluster.nodeId(0), 2)), "ann counted twice on " + cluster.nodeId(0));
        second.assertNoFrame(Frames.presenceEvent(room), QUIET);
        first.assertNoFrame(Frames.presenceEvent(room), Duration.ZERO);

        second.leave(room);
        Poll.until(SETTLE, () -> presenceEntry(room, ann).path("nodes"),
                nodes -> nodes.equals(Json.obj(cluster.nodeId(0), 1)), "ann counted once on " + cluster.nodeId(0));
        first.assertNoFrame(Frames.presenceEvent(room), QUIET);
    }

    @Test
    void presenceRequestListsTheMembersAcrossNodes() {
        String room = Cluster.unique("presence-list");
        List<TestClient> clients = new ArrayList<>();
        List<String> users = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
            String user = "user" + node + "-" + room;
            users.add(user);
            TestClient client = cluster.connect(node, user, "User " + node);
            client.join(room);
            clients.add(client);
        }

        JsonNode reply = clients.get(0).request(Json.obj("type", "presence", "id", "p1", "room", room));

        assertThat(reply.path("type").asText()).as("reply %s", reply).isEqualTo("presence");
        assertThat(reply.path("room").asText()).isEqualTo(room);
        assertThat(reply.has("event")).as("a reply is not an event: %s", reply).isFalse();
        assertThat(memberIds(reply)).containsExactlyInAnyOrderElementsOf(users);
        for (JsonNode member : reply.path("members")) {
            String index = member.path("id").asText().substring("user".length(), "user".length() + 1);
            assertThat(member.path("name").asText()).isEqualTo("User " + index);
        }

        clients.get(1).leave(room);
        clients.get(0).await(Frames.presence(room, "leave", users.get(1)));
        clients.get(2).await(Frames.presence(room, "leave", users.get(1)));
        JsonNode later = clients.get(2).call("type", "presence", "room", room);
        assertThat(memberIds(later)).containsExactlyInAnyOrder(users.get(0), users.get(2));
    }

    @Test
    void leavingAndRejoiningCountsASecondArrival() {
        String room = Cluster.unique("presence-rejoin");
        String bob = "bob-" + room;
        TestClient watcher = cluster.connect(0, "watcher-" + room, "Watcher");
        watcher.join(room);
        TestClient client = cluster.connect(1, bob, "Bob");
        client.join(room);
        watcher.await(Frames.presence(room, "join", bob));

        client.leave(room);
        watcher.await(Frames.presence(room, "leave", bob));
        Poll.until(SETTLE, () -> rosterEntry(room, bob).path("lastLeave"), JsonNode::isIntegralNumber,
                "bob's roster lastLeave to be set");
        Poll.until(SETTLE, () -> cluster.redis().commands().hexists(presence(room), bob), present -> !present,
                "bob's field to leave " + presence(room));

        client.join(room);
        watcher.await(Frames.presence(room, "join", bob));
        JsonNode record = rosterEntry(room, bob);
        assertThat(record.path("joins").asInt()).as("roster %s", record).isEqualTo(2);
        assertThat(record.path("lastJoin").asLong()).as("roster %s", record)
                .isGreaterThanOrEqualTo(record.path("lastLeave").asLong());
        assertThat(record.path("firstJoin").asLong()).as("roster %s", record)
                .isLessThanOrEqualTo(record.path("lastLeave").asLong());
    }

    @Test
    void joiningARoomTwiceAnswersJoinedWithoutNewEvents() {
        String room = Cluster.unique("presence-twice");
        String ann = "ann-" + room;
        TestClient watcher = cluster.connect(1, "watcher-" + room, "Watcher");
        watcher.join(room);
        watcher.await(Frames.presence(room, "join", "watcher-" + room));
        TestClient client = cluster.connect(0, ann, "Ann");
        client.join(room);
        watcher.await(Frames.presence(room, "join", ann));
        client.await(Frames.presence(room, "join", ann));

        JsonNode again = client.join(room);

        assertThat(memberIds(again)).containsExactlyInAnyOrder(ann, "watcher-" + room);
        watcher.assertNoFrame(Frames.presenceEvent(room), QUIET);
        client.assertNoFrame(Frames.presenceEvent(room), Duration.ZERO);
        assertThat(presenceEntry(room, ann).path("nodes")).isEqualTo(Json.obj(cluster.nodeId(0), 1));
        assertThat(rosterEntry(room, ann).path("joins").asInt()).isEqualTo(1);
    }

    private static JsonNode presenceEntry(String room, String user) {
        String value = cluster.redis().commands().hget(presence(room), user);
        assertThat(value).as("HGET %s %s", presence(room), user).isNotNull();
        return Json.parse(value);
    }

    private static JsonNode rosterEntry(String room, String user) {
        String value = cluster.redis().commands().hget(roster(room), user);
        assertThat(value).as("HGET %s %s", roster(room), user).isNotNull();
        return Json.parse(value);
    }

    private static List<String> memberIds(JsonNode frame) {
        List<String> ids = new ArrayList<>();
        frame.path("members").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    private static int indexOf(List<JsonNode> frames, JsonNode frame) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) == frame) {
                return i;
            }
        }
        return -1;
    }
}
