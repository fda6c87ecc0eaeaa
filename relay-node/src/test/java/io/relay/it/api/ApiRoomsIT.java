package io.relay.it.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Http;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The room routes of the server API, on three nodes: publish, presence and history. */
class ApiRoomsIT {
    private static final JsonNode SERVER = Json.obj("id", "$server");
    private static Cluster cluster;
    private static ApiClient api;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(3, config -> config.apiKey(ApiClient.KEY));
        api = ApiClient.withKey(i -> cluster.http(i, ""));
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
    void publishThroughOneNodeReachesMembersOnTheOthersFromTheServerAtTheAnsweredOffset() {
        String room = Cluster.unique("news");
        TestClient onB = cluster.connect(1, Cluster.unique("bob"), "Bob");
        TestClient onC = cluster.connect(2, Cluster.unique("cid"), "Cid");
        onB.join(room);
        onC.join(room);

        long before = System.currentTimeMillis();
        Http.Response answer = api.post(0, "/api/rooms/" + room + "/publish", "{\"text\":\"from the back end\"}");
        long after = System.currentTimeMillis();

        assertThat(answer.status()).as("answer %s", answer).isEqualTo(200);
        String offset = answer.json().path("offset").asText();
        assertThat(answer.json().size()).as("answer %s", answer).isEqualTo(1);
        for (TestClient member : List.of(onB, onC)) {
            JsonNode message = member.await(Frames.message(room));
            assertThat(message.path("from")).as("%s got %s", member, message).isEqualTo(SERVER);
            assertThat(message.path("data")).isEqualTo(Json.obj("text", "from the back end"));
            assertThat(message.path("offset").asText()).isEqualTo(offset);
            assertThat(message.path("ts").asLong()).isBetween(before - 5_000, after + 5_000);
        }

        JsonNode history = api.get(2, "/api/rooms/" + room + "/history").json();
        assertThat(history.path("room").asText()).isEqualTo(room);
        assertThat(offsets(history.path("messages"))).containsExactly(offset);
        assertThat(history.path("messages").get(0).path("from")).isEqualTo(SERVER);
        JsonNode frame = onC.call("type", "history", "room", room);
        assertThat(history.path("messages")).as("the same messages as the history frame")
                .isEqualTo(frame.path("messages"));
    }

    @Test
    void publishTakesAnyJsonValueAsData() {
        String room = Cluster.unique("values");
        TestClient member = cluster.connect(1, Cluster.unique("bob"), "Bob");
        member.join(room);
        List<String> bodies = List.of("null", "42", "\"text\"", "[1,{\"a\":true}]", "1.50", "{}");

        for (String body : bodies) {
            assertThat(api.post(0, "/api/rooms/" + room + "/publish", body).status()).isEqualTo(200);
        }

        for (String body : bodies) {
            assertThat(member.await(Frames.message(room)).path("data")).isEqualTo(Json.parse(body));
        }
    }

    @Test
    void serverAndClientPublishesShareTheRoomsOffsets() {
        String room = Cluster.unique("mixed");
        TestClient ann = cluster.connect(1, Cluster.unique("ann"), "Ann");
        ann.join(room);

        String first = ann.publish(room, Json.obj("n", 1)).path("offset").asText();
        String second = api.post(2, "/api/rooms/" + room + "/publish", "{\"n\":2}").json().path("offset").asText();

        assertThat(seq(second)).isEqualTo(seq(first) + 1);
        assertThat(epoch(second)).isEqualTo(epoch(first));
    }

    @Test
    void presenceListsMembersConnectedOnDifferentNodesFromRedis() {
        String room = Cluster.unique("lounge");
        String ann = Cluster.unique("ann");
        String bob = Cluster.unique("bob");
        cluster.connect(0, ann, "Ann").join(room);
        cluster.connect(1, bob, "Bob").join(room);
        cluster.connect(2, bob, "Bob").join(room);

        for (int node = 0; node < 3; node++) {
            Http.Response answer = api.get(node, "/api/rooms/" + room + "/presence");
            assertThat(answer.status()).as("answer %s", answer).isEqualTo(200);
            assertThat(answer.json().path("room").asText()).isEqualTo(room);
            assertThat(members(answer.json())).as("members asked on node %d", node)
                    .isEqualTo(Map.of(ann, "Ann", bob, "Bob"));
        }
        Http.Response empty = api.get(0, "/api/rooms/" + Cluster.unique("empty") + "/presence");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.json().path("members").isArray()).isTrue();
        assertThat(empty.json().path("members")).isEmpty();
    }

    @Test
    void historyPagesWithSinceAndLimit() {
        String room = Cluster.unique("log");
        List<String> offsets = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            offsets.add(api.post(i % 3, "/api/rooms/" + room + "/publish", "{\"n\":" + i + "}").json()
                    .path("offset").asText());
        }
        String path = "/api/rooms/" + room + "/history";

        assertThat(page(path)).as("no since, no limit: all (default 50)").isEqualTo(offsets);
        assertThat(page(path + "?limit=3")).as("the newest 3, oldest first").isEqualTo(offsets.subList(4, 7));
        assertThat(page(path + "?since=" + offsets.get(1) + "&limit=2")).as("the 2 after the second")
                .isEqualTo(offsets.subList(2, 4));
        assertThat(page(path + "?since=" + offsets.get(3))).as("everything after the fourth")
                .isEqualTo(offsets.subList(4, 7));
        assertThat(page(path + "?since=" + offsets.get(6))).as("nothing after the last").isEmpty();
        assertThat(page(path + "?limit=100000")).as("a limit over 500 is cut, not refused").isEqualTo(offsets);
        String otherEpoch = "ZZZZZZZZ:3";
        assertThat(page(path + "?since=" + otherEpoch + "&limit=2")).as("an older epoch pages from the start")
                .isEqualTo(offsets.subList(0, 2));
        JsonNode first = api.get(0, path + "?limit=1").json().path("messages").get(0);
        assertThat(first.path("data")).isEqualTo(Json.obj("n", 7));
        assertThat(first.path("type").asText()).isEqualTo("message");
        assertThat(first.path("room").asText()).isEqualTo(room);
    }

    @Test
    void historyRefusesABadSinceOrLimit() {
        String path = "/api/rooms/" + Cluster.unique("log") + "/history";
        for (String query : List.of("?since=nonsense", "?since=", "?since=abc:def", "?limit=0", "?limit=-1",
                "?limit=abc", "?limit=1.5", "?limit=", "?limit=" + "9".repeat(200))) {
            Http.Response answer = api.get(1, path + query);
            assertThat(answer.status()).as("%s answered %s", query, answer).isEqualTo(400);
            assertThat(answer.json().path("error").asText()).isEqualTo("bad_request");
            assertThat(answer.json().path("message").asText()).isNotBlank();
        }
    }

    private static List<String> page(String path) {
        Http.Response answer = api.get(1, path);
        assertThat(answer.status()).as("%s answered %s", path, answer).isEqualTo(200);
        return offsets(answer.json().path("messages"));
    }

    private static List<String> offsets(JsonNode messages) {
        List<String> offsets = new ArrayList<>();
        messages.forEach(m -> offsets.add(m.path("offset").asText()));
        return offsets;
    }

    private static Map<String, String> members(JsonNode presence) {
        List<JsonNode> members = new ArrayList<>();
        presence.path("members").forEach(members::add);
        return members.stream().collect(Collectors.toMap(m -> m.path("id").asText(), m -> m.path("name").asText()));
    }

    private static long seq(String offset) {
        return Long.parseLong(offset.substring(offset.indexOf(':') + 1));
    }

    private static String epoch(String offset) {
        return offset.substring(0, offset.indexOf(':'));
    }
}
