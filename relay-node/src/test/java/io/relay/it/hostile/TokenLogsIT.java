package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Connector.TokenPlacement;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.Http;
import io.relay.testing.Json;
import io.relay.testing.LogCapture;
import io.relay.testing.NodeProcess;
import io.relay.testing.Poll;
import io.relay.testing.ProcessCluster;
import io.relay.testing.TestClient;
import io.relay.testing.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Issue 6, tokens never logged (PROTOCOL.md, RELIABILITY.md S-10): a session whose token is in the
 * URL ({@code ?token=}), refreshes with invalid, expired and foreign tokens, upgrades refused for bad
 * tokens in every place, and plain HTTP requests with a token in the query leave no token text (nor
 * its payload or signature part) in any log line: neither in anything the node's code logs at any
 * level, nor in the log file of a node run as its own process with its own logging configuration.
 */
class TokenLogsIT {
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    @RegisterExtension
    final ProcessCluster processes = new ProcessCluster();

    @Test
    void noTokenReachesAnyLogLineOfTheNodesCodeAtAnyLevel() {
        try (Cluster cluster = Cluster.start(1)) {
            HostileBystander bystander = HostileBystander.on(cluster, 0);
            try (bystander) {
                int mark = bystander.mark();
                String user = Cluster.unique("secretive");
                List<String> tokens;
                List<String> lines;
                try (LogCapture capture = LogCapture.of("io.relay", "io.undertow.request", "io.undertow.accesslog")) {
                    LoggerFactory.getLogger("io.relay.it").info("capture check");
                    tokens = exercise(cluster.wsBase(0), path -> cluster.http(0, path), cluster.tokens(), user);
                    lines = capture.lines();
                }
                assertThat(lines).as("the capture works").anyMatch(line -> line.contains("capture check"));
                assertThat(lines).as("the session was logged").anyMatch(line -> line.contains("user=" + user));
                assertNoToken(lines, tokens, "captured log events");
                System.out.printf("TokenLogsIT: %d log events, none with any of %d tokens%n", lines.size(), tokens.size());
                System.out.println("TokenLogsIT capture: bystanders " + bystander.finish(mark, BYSTANDER_P99));
            }
        }
    }

    @Test
    void noTokenReachesTheLogFileOfANodeProcess() {
        NodeProcess node = processes.startNodes("secrets", 1, Map.of()).get(0);
        try (HostileBystander bystander = HostileBystander.on(node)) {
            int mark = bystander.mark();
            String user = Cluster.unique("discreet");
            List<String> tokens = exercise(node.wsBase(), node::http, new Tokens(NodeProcess.SECRET), user);
            // the close of the session is the last thing it logs
            Poll.until(Duration.ofSeconds(5), () -> readLog(node).stream()
                    .anyMatch(line -> line.contains("closed") && line.contains("user=" + user)), "the session's close line");
            List<String> lines = readLog(node);
            assertNoToken(lines, tokens, "the log file " + node.log());
            System.out.printf("TokenLogsIT: %d lines in %s, none with any of %d tokens%n", lines.size(), node.log(),
                    tokens.size());
            System.out.println("TokenLogsIT process: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    /**
     * A session with its token in the query, bad refreshes, refused upgrades and HTTP requests
     * carrying tokens; returns every token used.
     */
    private static List<String> exercise(URI wsBase, Function<String, URI> http, Tokens tokens,
                                         String user) {
        String good = tokens.mint(user, "Secretive");
        String fresh = tokens.mint(user, "Secretive", Duration.ofHours(2));
        String expired = tokens.expired(user, "Secretive");
        String wrong = tokens.wrongSecret(user, "Secretive");
        String none = tokens.algNone(user, "Secretive");
        String foreign = tokens.mint(Cluster.unique("someone-else"), "Else");
        String oversized = JWT.create().withSubject(user).withExpiresAt(Instant.now().plusSeconds(600))
                .withClaim("padding", "p".repeat(4_200)).sign(Algorithm.HMAC256(Cluster.SECRET));
        String garbage = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.Z2FyYmFnZS1zaWduYXR1cmUtMDEyMzQ1Njc4OQ";
        List<String> all = List.of(good, fresh, expired, wrong, none, foreign, oversized, garbage);

        String room = Cluster.unique("quiet");
        TestClient client = TestClient.to(wsBase).label(user).token(good).placement(TokenPlacement.QUERY).connect();
        try {
            client.join(room);
            client.publish(room, "hello");
            for (String bad : List.of(expired, wrong, none, oversized, garbage)) {
                JsonNode reply = client.request(Json.obj("type", "refresh", "id", "bad", "token", bad));
                assertThat(reply.path("code").asText()).as("refresh with a bad token: %s", reply).isEqualTo("unauthorized");
                assertThat(reply.toString()).doesNotContain(bad.substring(bad.indexOf('.') + 1));
            }
            JsonNode stolen = client.request(Json.obj("type", "refresh", "id", "foreign", "token", foreign));
            assertThat(stolen.path("code").asText()).as("refresh for another user: %s", stolen).isEqualTo("forbidden");
            client.expectType(client.request(Json.obj("type", "refresh", "id", "ok", "token", fresh)), "refreshed");
            client.ping();
        } finally {
            client.close();
        }

        TestClient pathRoom = TestClient.to(wsBase).label(user + "-path").path("/ws/not!a!room").token(good)
                .placement(TokenPlacement.QUERY).connect();
        pathRoom.await(Frames.type("error"));
        pathRoom.close();

        for (String bad : List.of(expired, wrong, none, oversized, garbage)) {
            for (TokenPlacement placement : TokenPlacement.values()) {
                int status = TestClient.to(wsBase).label("refused").token(bad).placement(placement).reject().status();
                assertThat(status).as("upgrade with a bad token in %s", placement).isEqualTo(401);
            }
        }
        String query = "?token=" + URLEncoder.encode(good, StandardCharsets.UTF_8);
        assertThat(Http.get(http.apply("/ws" + query)).status()).as("GET /ws?token= without upgrade").isEqualTo(400);
        Http.get(http.apply("/nowhere" + query));
        Http.get(http.apply("/healthz" + query));
        Http.get(http.apply("/ws"), "Authorization", "Bearer " + good);
        return all;
    }

    private static void assertNoToken(List<String> lines, List<String> tokens, String where) {
        List<String> needles = new ArrayList<>();
        for (String token : tokens) {
            needles.add(token);
            String[] parts = token.split("\\.");
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].length() >= 16) {
                    needles.add(parts[i]); // the payload and the signature on their own
                }
            }
        }
        for (String line : lines) {
            for (String needle : needles) {
                assertThat(line).as("a line of %s", where).doesNotContain(needle);
            }
        }
    }

    private static List<String> readLog(NodeProcess node) {
        try {
            return Files.readAllLines(node.log(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + node.log() + ": " + e, e);
        }
    }
}
