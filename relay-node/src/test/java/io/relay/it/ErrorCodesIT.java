package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import io.relay.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every error code a client can provoke (PROTOCOL.md, Errors), one test each, and whether the
 * connection survives it. {@code internal} is unreachable from a client by design.
 */
class ErrorCodesIT {
    private static final int MAX_FRAME = 4_096;
    private static final int MAX_ROOMS = 3;

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(2, b -> b.maxFrameBytes(MAX_FRAME).maxRoomsPerConnection(MAX_ROOMS));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @AfterEach
    void closeClients() {
        cluster.closeClients();
    }

    // ---------------------------------------------------------------- bad_request

    @ParameterizedTest(name = "bad_request without a readable id for {0}")
    @ValueSource(strings = {"this is not json", "{\"type\":\"ping\"", "[{\"type\":\"ping\",\"id\":1}]", "42",
        "\"ping\"", "{\"type\":\"ping\",\"id\":1} trailing", "{\"type\":\"ping\",\"type\":\"join\"}"})
    void unreadableFramesAreBadRequest(String text) {
        TestClient client = connect(0);
        client.send(text);
        JsonNode error = client.await(Frames.type("error"));
        assertError(error, "bad_request", null);
        client.ping();
    }

    @ParameterizedTest(name = "bad_request with id echoed for {0}")
    @ValueSource(strings = {
        "{\"id\":\"e1\"}",
        "{\"id\":\"e1\",\"type\":5}",
        "{\"id\":\"e1\",\"type\":null}",
        "{\"id\":\"e1\",\"type\":\"join\"}",
        "{\"id\":\"e1\",\"type\":\"join\",\"room\":5}",
        "{\"id\":\"e1\",\"type\":\"publish\",\"room\":\"r\"}",
        "{\"id\":\"e1\",\"type\":\"direct\",\"data\":1}",
        "{\"id\":\"e1\",\"type\":\"direct\",\"to\":[\"u\"],\"data\":1}",
        "{\"id\":\"e1\",\"type\":\"history\",\"room\":\"r\",\"limit\":\"ten\"}",
        "{\"id\":\"e1\",\"type\":\"history\",\"room\":\"r\",\"limit\":0}",
        "{\"id\":\"e1\",\"type\":\"refresh\"}",
        "{\"id\":\"e1\",\"type\":\"join\",\"room\":\"r\",\"since\":7}"})
    void wrongOrMissingFieldsAreBadRequestWithTheIdEchoed(String text) {
        TestClient client = connect(0);
        client.send(text);
        JsonNode error = client.await(Frames.type("error"));
        assertError(error, "bad_request", "e1");
        client.ping();
    }

    @Test
    void malformedSinceIsBadRequest() {
        String room = Cluster.unique("bad-since");
        TestClient client = connect(1);
        JsonNode onJoin = client.request(Json.obj("type", "join", "id", "j", "room", room, "since", "not-an-offset"));
        assertError(onJoin, "bad_request", "j");

        client.join(room);
        JsonNode onHistory = client.request(Json.obj("type", "history", "id", "h", "room", room,
                "since", "not-an-offset"));
        assertError(onHistory, "bad_request", "h");
        client.ping();
    }

    @Test
    void binaryFrameIsBadRequestAndTheConnectionStaysOpen() {
        TestClient client = connect(0);
        client.sendBinary("{\"type\":\"ping\",\"id\":\"b\"}".getBytes(StandardCharsets.UTF_8));
        JsonNode error = client.await(Frames.type("error"));
        assertError(error, "bad_request", null);
        client.assertNoFrame(Frames.type("pong"), Duration.ofMillis(300));
        client.ping();
    }

    // ---------------------------------------------------------------- unknown_type, invalid_room

    @Test
    void unknownTypeEchoesANumericId() {
        TestClient client = connect(0);
        JsonNode error = client.request(Json.obj("type", "dance", "id", 7));
        assertError(error, "unknown_type", null);
        assertThat(error.path("id").isIntegralNumber()).as("numeric id echoed as a number: %s", error).isTrue();
        assertThat(error.path("id").asInt()).isEqualTo(7);
        client.ping();
    }

    @ParameterizedTest(name = "invalid_room for \"{0}\"")
    @ValueSource(strings = {"", "with space", "{tag}", "lobby*", "a?b", "caf\u00e9", "semi;colon",
        "x12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678"})
    void invalidRoomNames(String room) {
        TestClient client = connect(1);
        assertError(client.request(Json.obj("type", "join", "id", "r1", "room", room)), "invalid_room", "r1");
        assertError(client.request(Json.obj("type", "publish", "id", "r2", "room", room, "data", 1)),
                "invalid_room", "r2");
        client.ping();
    }

    @Test
    void aRoomNameOf128CharactersIsValid() {
        TestClient client = connect(1);
        String room = "r" + "x".repeat(127);
        assertThat(client.join(room).path("room").asText()).isEqualTo(room);
    }

    // ---------------------------------------------------------------- refresh: refreshed, unauthorized, forbidden

    @Test
    void refreshWithAValidTokenForTheSameUserIsRefreshed() {
        String user = Cluster.unique("refresher");
        TestClient client = track(cluster.client(0, user).token(cluster.tokens().mint(user, "R", Duration.ofMinutes(5)))
                .connect());
        String fresh = cluster.tokens().mint(user, "R", Duration.ofHours(2));

        JsonNode reply = client.request(Json.obj("type", "refresh", "id", "f1", "token", fresh));

        assertThat(reply.path("type").asText()).as("reply %s", reply).isEqualTo("refreshed");
        assertThat(reply.path("exp").asLong()).isEqualTo(Tokens.expiresAt(fresh));
        client.ping();
    }

    @Test
    void refreshWithAnInvalidOrExpiredTokenIsUnauthorized() {
        String user = Cluster.unique("refresher");
        TestClient client = connect(0, user);
        for (String bad : List.of(cluster.tokens().expired(user, "U"), cluster.tokens().wrongSecret(user, "U"),
                cluster.tokens().algNone(user, "U"), "not.a.jwt")) {
            JsonNode reply = client.request(Json.obj("type", "refresh", "id", "f2", "token", bad));
            assertError(reply, "unauthorized", "f2");
            assertThat(reply.path("message").asText()).as("no token in the message").doesNotContain(bad);
        }
        client.ping();
    }

    @Test
    void refreshWithAnotherUsersTokenIsForbidden() {
        String user = Cluster.unique("refresher");
        TestClient client = connect(0, user);

        JsonNode reply = client.request(Json.obj("type", "refresh", "id", "f3",
                "token", cluster.tokens().mint(Cluster.unique("someone-else"), "Else")));

        assertError(reply, "forbidden", "f3");
        client.ping();
    }

    // ---------------------------------------------------------------- forbidden rooms

    @Test
    void roomsClaimLimitsTheRoomsAUserMayJoin() {
        String user = Cluster.unique("limited");
        String token = cluster.tokens().mint(user, "L", Duration.ofHours(1), List.of("allowed-room", "team-*"));
        TestClient client = track(cluster.client(1, user).token(token).connect());

        assertError(client.request(Json.obj("type", "join", "id", "j1", "room", "secret-room")), "forbidden", "j1");
        assertError(client.request(Json.obj("type", "join", "id", "j2", "room", "allowed-room-2")), "forbidden", "j2");
        client.join("allowed-room");
        client.join("team-blue");
        client.ping();
    }

    @Test
    void anEmptyRoomsClaimAllowsNoRoom() {
        String user = Cluster.unique("roomless");
        String token = cluster.tokens().mint(user, "N", Duration.ofHours(1), List.of());
        TestClient client = track(cluster.client(0, user).token(token).connect());

        assertError(client.request(Json.obj("type", "join", "id", "j", "room", "lobby")), "forbidden", "j");
        client.ping();
    }

    @Test
    void joiningMoreThanTheMaximumOfRoomsIsForbidden() {
        TestClient client = connect(0);
        for (int i = 0; i < MAX_ROOMS; i++) {
            client.join(Cluster.unique("many"));
        }
        JsonNode reply = client.request(Json.obj("type", "join", "id", "too-many", "room", Cluster.unique("many")));
        assertError(reply, "forbidden", "too-many");
        client.ping();
    }

    // ---------------------------------------------------------------- not_member

    @Test
    void publishPresenceAndHistoryNeedMembership() {
        String room = Cluster.unique("members-only");
        TestClient member = connect(0);
        member.join(room);
        TestClient outsider = connect(1);

        assertError(outsider.request(Json.obj("type", "publish", "id", "n1", "room", room, "data", 1)),
                "not_member", "n1");
        assertError(outsider.request(Json.obj("type", "presence", "id", "n2", "room", room)), "not_member", "n2");
        assertError(outsider.request(Json.obj("type", "history", "id", "n3", "room", room)), "not_member", "n3");
        member.assertNoFrame(Frames.anyMessage(), Duration.ofMillis(300));
        outsider.ping();
    }

    // ---------------------------------------------------------------- too_large

    @Test
    void aFrameOverTheMaximumClosesTheConnectionWith1009() {
        String room = Cluster.unique("large");
        TestClient client = connect(0);
        client.join(room);
        client.publish(room, "y".repeat(MAX_FRAME - 200));

        client.send(Json.obj("type", "publish", "id", "big", "room", room, "data", "z".repeat(MAX_FRAME + 100))
                .toString());

        assertThat(client.closeCode()).isEqualTo(1009);
        for (JsonNode f : client.received()) {
            if (Frames.type("error").test(f)) {
                assertThat(f.path("code").asText()).as("the only error may be too_large: %s", f).isEqualTo("too_large");
            }
        }
    }

    // ---------------------------------------------------------------- rate_limited

    @Test
    void framesOverTheRateAreRateLimitedAndAbuseClosesWith4029() {
        try (Cluster limited = Cluster.start(1, b -> b.rate(5).burst(5))) {
            String user = Cluster.unique("hasty");
            TestClient client = limited.track(limited.connect(0, user, "Hasty"));
            for (int i = 0; i < 10; i++) {
                client.send(Json.obj("type", "ping", "id", "p" + i));
            }
            client.awaitAll(Frames.type("pong"), 5, TestClient.DEFAULT_TIMEOUT, "pongs within the burst of 5");
            client.await(Frames.error("rate_limited"), TestClient.DEFAULT_TIMEOUT, "a rate_limited error");
            for (JsonNode f : client.received()) {
                if (Frames.type("error").test(f)) {
                    assertThat(f.path("code").asText()).as("errors of a fast sender: %s", f).isEqualTo("rate_limited");
                }
            }

            // still open: once the bucket refills, a ping is answered again
            Poll.until(Duration.ofSeconds(5), () -> {
                JsonNode id = Json.MAPPER.getNodeFactory().textNode(client.nextId());
                client.send(Json.obj("type", "ping", "id", id));
                return client.await(f -> id.equals(f.get("id")) || Frames.error("rate_limited").test(f),
                        Duration.ofSeconds(2), "a pong or rate_limited");
            }, Frames.type("pong"), "a pong after the bucket refilled");

            // abuse: far more than 100 limited frames within 10 s
            for (int i = 0; i < 400 && client.trySend("{\"type\":\"ping\"}"); i++) {
                // keep sending until the node closes the connection
            }
            assertThat(client.closeCode(Duration.ofSeconds(10))).isEqualTo(4029);
        }
    }

    // ---------------------------------------------------------------- recipient_offline

    @Test
    void directToAnOfflineUserIsRecipientOffline() {
        TestClient client = connect(1);
        JsonNode reply = client.request(Json.obj("type", "direct", "id", "d", "to", Cluster.unique("ghost"),
                "data", "boo"));
        assertError(reply, "recipient_offline", "d");
        client.ping();
    }

    // ---------------------------------------------------------------- unavailable

    @Test
    void publishWhileRedisIsDownIsUnavailable() {
        Duration redisTimeout = Duration.ofSeconds(1);
        try (Cluster fragile = Cluster.start(1, b -> b.redisTimeout(redisTimeout))) {
            String room = Cluster.unique("fragile");
            TestClient client = fragile.track(fragile.connect(0, Cluster.unique("brave"), "Brave"));
            client.join(room);
            client.publish(room, "before");

            fragile.redis().stop();
            client.send(Json.obj("type", "publish", "id", "down", "room", room, "data", "during", "key", "k-1"));

            JsonNode reply = client.await(Frames.id(Json.MAPPER.getNodeFactory().textNode("down")),
                    redisTimeout.plusSeconds(4), "the reply to a publish while Redis is down");
            assertError(reply, "unavailable", "down");
            client.ping();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static TestClient connect(int node) {
        return connect(node, Cluster.unique("user"));
    }

    private static TestClient connect(int node, String user) {
        return cluster.connect(node, user, "User " + user);
    }

    private static TestClient track(TestClient client) {
        return cluster.track(client);
    }

    /** An error frame with {@code code}, a non-empty message, and {@code id} echoed (null: no id expected). */
    private static void assertError(JsonNode frame, String code, String id) {
        assertThat(frame.path("type").asText()).as("an error frame: %s", frame).isEqualTo("error");
        assertThat(frame.path("code").asText()).as("code of %s", frame).isEqualTo(code);
        assertThat(frame.path("message").asText()).as("message of %s", frame).isNotBlank();
        if (id != null) {
            assertThat(frame.path("id").asText(null)).as("id of %s", frame).isEqualTo(id);
        }
    }
}
