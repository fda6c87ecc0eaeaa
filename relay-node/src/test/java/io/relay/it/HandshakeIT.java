package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Http;
import io.relay.testing.Json;
import io.relay.testing.LogCapture;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import io.relay.testing.Connector.Rejection;
import io.relay.testing.Connector.TokenPlacement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** Everything decided before and right after the upgrade: tokens, limits, origins, health, path rooms. */
class HandshakeIT {
    private static final String GOOD_ORIGIN = "https://good.example";
    private static final int MAX_CONNECTIONS = 2;

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(2, b -> b.allowedOrigins(List.of(GOOD_ORIGIN))
                .maxConnectionsPerUser(MAX_CONNECTIONS));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @AfterEach
    void closeClients() {
        cluster.closeClients();
    }

    // ---------------------------------------------------------------- 401

    @Test
    void noTokenIsRefusedWith401AndAJsonBody() {
        Http.Response plain = Http.get(cluster.http(0, "/ws"));
        assertThat(plain.status()).as("GET /ws without token: %s", plain).isEqualTo(401);
        assertUnauthorizedBody(plain.json(), null);

        Rejection upgrade = cluster.client(0, "anonymous").reject();
        assertThat(upgrade.status()).isEqualTo(401);
        assertUnauthorizedBody(upgrade.json(), null);
    }

    @Test
    void invalidTokensAreRefusedWith401() {
        String user = Cluster.unique("intruder");
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("expired", cluster.tokens().expired(user, "I"));
        bad.put("wrong secret", cluster.tokens().wrongSecret(user, "I"));
        bad.put("alg none", cluster.tokens().algNone(user, "I"));
        bad.put("no sub", cluster.tokens().withoutSubject("I"));
        bad.put("sub outside the alphabet", cluster.tokens().mint("bad user!", "I"));
        bad.put("not yet valid", JWT.create().withSubject(user).withNotBefore(Instant.now().plusSeconds(600))
                .withExpiresAt(Instant.now().plusSeconds(1200)).sign(Algorithm.HMAC256(Cluster.SECRET)));
        bad.put("HS512", JWT.create().withSubject(user).withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC512(Cluster.SECRET)));
        bad.put("over 4 KiB", JWT.create().withSubject(user).withExpiresAt(Instant.now().plusSeconds(600))
                .withClaim("padding", "p".repeat(4_200)).sign(Algorithm.HMAC256(Cluster.SECRET)));
        bad.put("garbage", "garbage");

        for (Map.Entry<String, String> token : bad.entrySet()) {
            for (TokenPlacement placement : TokenPlacement.values()) {
                Rejection rejection = cluster.client(0, token.getKey()).token(token.getValue()).placement(placement)
                        .reject();
                assertThat(rejection.status()).as("%s token in %s", token.getKey(), placement).isEqualTo(401);
                assertUnauthorizedBody(rejection.json(), token.getValue());
            }
        }
    }

    // ---------------------------------------------------------------- the three token places

    @ParameterizedTest(name = "token in {0}")
    @EnumSource(TokenPlacement.class)
    void aValidTokenIsAcceptedInEachPlace(TokenPlacement placement) {
        String user = Cluster.unique("placed");
        TestClient client = cluster.track(cluster.client(1, user).token(cluster.token(user, "Placed " + placement))
                .placement(placement).connect());

        JsonNode welcome = client.welcome();
        assertThat(welcome.path("type").asText()).isEqualTo("welcome");
        assertThat(welcome.path("session").isTextual()).as("session in %s", welcome).isTrue();
        assertThat(welcome.path("session").asText()).isNotBlank();
        assertThat(welcome.path("node").asText()).isEqualTo(cluster.nodeId(1));
        assertThat(welcome.path("user")).isEqualTo(Json.obj("id", user, "name", "Placed " + placement));
        assertThat(welcome.path("heartbeat").asLong())
                .isEqualTo(cluster.config(1).heartbeat().toSeconds());
        client.ping();
    }

    @Test
    void sessionsAreDistinct() {
        String user = Cluster.unique("twice");
        TestClient first = cluster.connect(0, user, "T");
        TestClient second = cluster.connect(0, user, "T");
        assertThat(first.welcome().path("session").asText()).isNotEqualTo(second.welcome().path("session").asText());
    }

    @Test
    void theAuthorizationHeaderComesFirstThenTheTokenHeaderThenTheQuery() {
        String first = Cluster.unique("first");
        String second = Cluster.unique("second");
        String third = Cluster.unique("third");

        TestClient all = cluster.track(cluster.client(0, "all").token(cluster.token(third, "Q"))
                .placement(TokenPlacement.QUERY).header("Authorization", "Bearer " + cluster.token(first, "A"))
                .header("token", cluster.token(second, "T")).connect());
        assertThat(all.welcome().path("user").path("id").asText()).isEqualTo(first);

        TestClient headerAndQuery = cluster.track(cluster.client(0, "header+query").token(cluster.token(third, "Q"))
                .placement(TokenPlacement.QUERY).header("token", cluster.token(second, "T")).connect());
        assertThat(headerAndQuery.welcome().path("user").path("id").asText()).isEqualTo(second);
    }

    // ---------------------------------------------------------------- 429

    @Test
    void moreThanTheMaximumConnectionsOfAUserOnANodeIs429() {
        String user = Cluster.unique("crowd");
        List<TestClient> open = new ArrayList<>();
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            open.add(cluster.connect(0, user, "Crowd"));
        }

        Rejection refused = cluster.client(0, user).token(cluster.token(user, "Crowd")).reject();
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().path("error").asText()).isNotBlank();
        assertThat(refused.json().path("message").asText()).isNotBlank();

        // the limit is per node: node-b still takes this user
        cluster.connect(1, user, "Crowd").ping();

        // and a closed connection frees its place
        open.get(0).close();
        TestClient again = Poll.until(Duration.ofSeconds(5),
                () -> cluster.connect(0, user, "Crowd"), c -> true, "a connection after one was closed");
        again.ping();
    }

    // ---------------------------------------------------------------- Origin

    @Test
    void anOriginOutsideTheAllowListIs403() {
        String user = Cluster.unique("browser");
        Rejection refused = cluster.client(0, user).token(cluster.token(user, "B")).origin("https://evil.example")
                .reject();
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").asText()).isNotBlank();
        assertThat(refused.json().path("message").asText()).isNotBlank();
    }

    @Test
    void anAllowedOriginAndNoOriginAreAccepted() {
        String user = Cluster.unique("browser");
        TestClient good = cluster.track(cluster.client(0, user).token(cluster.token(user, "B")).origin(GOOD_ORIGIN)
                .connect());
        good.ping();
        TestClient none = cluster.track(cluster.client(1, user).token(cluster.token(user, "B")).connect());
        none.ping();
    }

    // ---------------------------------------------------------------- health

    @Test
    void healthzAndReadyzAnswer200() {
        for (int node = 0; node < cluster.size(); node++) {
            assertThat(Http.get(cluster.http(node, "/healthz")).status()).isEqualTo(200);
            int index = node;
            Poll.until(Duration.ofSeconds(10), () -> Http.get(cluster.http(index, "/readyz")).status(),
                    status -> status == 200, "GET /readyz of " + cluster.nodeId(node) + " == 200");
        }
    }

    @Test
    void readyzIs503WhileRedisIsDownAndRecoversAfterwards() {
        try (Cluster fragile = Cluster.start(1, b -> b.redisTimeout(Duration.ofSeconds(1)))) {
            Poll.until(Duration.ofSeconds(10), () -> Http.get(fragile.http(0, "/readyz")).status(),
                    status -> status == 200, "GET /readyz == 200 with Redis up");

            fragile.redis().stop();
            Poll.until(Duration.ofSeconds(15), () -> Http.get(fragile.http(0, "/readyz")).status(),
                    status -> status == 503, "GET /readyz == 503 with Redis stopped");
            assertThat(Http.get(fragile.http(0, "/healthz")).status()).as("healthz with Redis down").isEqualTo(200);
            String user = Cluster.unique("too-early");
            Rejection refused = fragile.client(0, user).token(fragile.token(user, "E")).reject();
            assertThat(refused.status()).as("an upgrade while Redis is unreachable").isEqualTo(503);

            fragile.redis().restart();
            Poll.until(Duration.ofSeconds(40), () -> Http.get(fragile.http(0, "/readyz")).status(),
                    status -> status == 200, "GET /readyz == 200 after Redis came back");
        }
    }

    // ---------------------------------------------------------------- /ws/{room}

    @Test
    void aRoomInThePathIsJoinedRightAfterTheWelcome() {
        String room = Cluster.unique("path-room");
        String user = "ann-" + room;
        TestClient client = cluster.connectRoom(1, room, user, "Ann");

        JsonNode joined = client.await(Frames.any(), TestClient.DEFAULT_TIMEOUT, "the frame after the welcome");
        assertThat(joined.path("type").asText()).as("frame after the welcome: %s", joined).isEqualTo("joined");
        assertThat(joined.has("id")).as("no id on an automatic join: %s", joined).isFalse();
        assertThat(joined.path("room").asText()).isEqualTo(room);
        assertThat(joined.path("members")).contains(Json.obj("id", user, "name", "Ann"));
        assertThat(joined.path("offset").isTextual()).as("offset of %s", joined).isTrue();

        TestClient other = cluster.connectRoom(0, room, "bob-" + room, "Bob");
        other.await(Frames.type("joined"));
        assertThat(client.publish(room, "hello").path("offset").isTextual()).isTrue();
        other.await(Frames.message(room));
    }

    @Test
    void anInvalidRoomInThePathIsAnErrorWithoutIdAndTheConnectionStaysOpen() {
        String user = Cluster.unique("pathless");
        TestClient client = cluster.connectRoom(0, "bad!room", user, "P");

        JsonNode error = client.await(Frames.type("error"));
        assertThat(error.path("code").asText()).as("error %s", error).isEqualTo("invalid_room");
        assertThat(error.has("id")).as("no id: %s", error).isFalse();
        client.assertNoFrame(Frames.type("joined"), Duration.ofMillis(300));
        client.ping();
    }

    @Test
    void aForbiddenRoomInThePathIsAnErrorWithoutIdAndTheConnectionStaysOpen() {
        String user = Cluster.unique("confined");
        String token = cluster.tokens().mint(user, "C", Duration.ofHours(1), List.of("own-*"));
        TestClient client = cluster.track(cluster.client(1, user).path("/ws/" + Cluster.unique("foreign"))
                .token(token).connect());

        JsonNode error = client.await(Frames.type("error"));
        assertThat(error.path("code").asText()).as("error %s", error).isEqualTo("forbidden");
        assertThat(error.has("id")).as("no id: %s", error).isFalse();
        client.ping();

        TestClient allowed = cluster.track(cluster.client(1, user).path("/ws/" + Cluster.unique("own"))
                .token(token).connect());
        assertThat(allowed.await(Frames.any()).path("type").asText()).isEqualTo("joined");
    }

    // ---------------------------------------------------------------- tokens stay secret

    @Test
    void tokensNeverAppearInTheNodesLogsOrMetrics() {
        String user = Cluster.unique("secretive");
        String good = cluster.token(user, "S");
        String expired = cluster.tokens().expired(user, "S");
        String wrong = cluster.tokens().wrongSecret(user, "S");
        List<String> tokens = List.of(good, expired, wrong);
        List<String> logged;
        try (LogCapture capture = LogCapture.of("io.relay", "io.undertow.request", "io.undertow.accesslog")) {
            LoggerFactory.getLogger("io.relay.it").debug("capture check");
            TestClient client = cluster.track(cluster.client(0, user).token(good).placement(TokenPlacement.QUERY)
                    .connect());
            cluster.client(0, user).token(expired).placement(TokenPlacement.QUERY).reject();
            cluster.client(0, user).token(wrong).placement(TokenPlacement.BEARER).reject();
            client.request(Json.obj("type", "refresh", "id", "r1", "token", expired));
            client.request(Json.obj("type", "refresh", "id", "r2", "token", wrong));
            client.close();
            logged = capture.lines();
        }
        assertThat(logged).as("the capture works").anyMatch(line -> line.contains("capture check"));
        String metrics = Http.get(cluster.http(0, "/metrics")).body();
        for (String token : tokens) {
            String signature = token.substring(token.lastIndexOf('.') + 1);
            assertThat(logged).as("log lines").noneMatch(line -> line.contains(signature));
            assertThat(metrics).as("GET /metrics").doesNotContain(signature);
        }
    }

    private static void assertUnauthorizedBody(JsonNode body, String token) {
        assertThat(body.path("error").asText()).as("body %s", body).isEqualTo("unauthorized");
        assertThat(body.path("message").asText()).as("body %s", body).isNotBlank();
        if (token != null) {
            assertThat(body.toString()).as("the token must not be echoed").doesNotContain(token);
        }
    }
}
