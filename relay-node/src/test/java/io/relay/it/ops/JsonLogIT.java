package io.relay.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Connector.TokenPlacement;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.NodeProcess;
import io.relay.testing.Poll;
import io.relay.testing.ProcessCluster;
import io.relay.testing.TestClient;
import io.relay.testing.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RELAY_LOG_FORMAT: a node run as its own process logs one JSON object per line with
 * {@code json} (from its very first line, an early configuration warning, to its last, after a
 * SIGTERM drain), and readable text by default; either way every line about a connection carries
 * the connection's id (the {@code welcome.session} the client saw) as {@code conn}, and the token
 * appears nowhere.
 */
class JsonLogIT {
    /** What NodeProcess itself writes at the top of the log file (the command line): not the node's output. */
    private static final String HARNESS_HEADER = "==== ";

    @RegisterExtension
    final ProcessCluster processes = new ProcessCluster();

    @Test
    void jsonFormatWritesOnlyJsonLinesWithTheConnectionIdAndNoToken() {
        // an unknown RELAY_ variable makes the configuration log a warning before anything else
        NodeProcess node = processes.startNodes("jsonlog", 1,
                Map.of("RELAY_LOG_FORMAT", "json", "RELAY_NOT_A_SETTING", "x")).get(0);
        Session session = exercise(node);
        node.sigterm();
        assertThat(node.waitForExit(Duration.ofSeconds(20))).as("exit after the drain").isZero();

        List<String> lines = nodeLines(node);
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            JsonNode event = Json.parse(line);
            assertThat(event.isObject()).as("a JSON object per line: %s", line).isTrue();
            assertThat(event.path("@timestamp").isTextual()).as("@timestamp in %s", line).isTrue();
            assertThat(event.path("level").isTextual()).as("level in %s", line).isTrue();
            assertThat(event.path("message").isTextual()).as("message in %s", line).isTrue();
            events.add(event);
        }
        assertThat(events.get(0).path("message").asText()).as("the first line is the configuration's warning")
                .contains("RELAY_NOT_A_SETTING");
        assertThat(events).as("the drain's last line").anyMatch(e -> e.path("message").asText().contains("drained and stopped"));

        List<JsonNode> aboutIt = events.stream()
                .filter(e -> e.path("message").asText().contains(session.id())).toList();
        assertThat(aboutIt).as("the connection's opened and closed lines")
                .anyMatch(e -> e.path("message").asText().startsWith("opened"))
                .anyMatch(e -> e.path("message").asText().startsWith("closed"));
        for (JsonNode e : aboutIt) {
            assertThat(e.path("conn").asText()).as("conn of %s", e).isEqualTo(session.id());
        }
        assertThat(events).as("conn is only ever this connection's id")
                .allMatch(e -> e.path("conn").isMissingNode() || e.path("conn").asText().equals(session.id()));
        assertNoToken(lines, session.token());
    }

    @Test
    void textFormatShowsTheConnectionIdAndNoToken() {
        NodeProcess node = processes.startNodes("textlog", 1, Map.of()).get(0);
        Session session = exercise(node);
        Poll.until(Duration.ofSeconds(5), () -> nodeLines(node).stream()
                .anyMatch(line -> line.contains("closed session=" + session.id())), "the connection's close line");
        List<String> lines = nodeLines(node);
        List<String> aboutIt = lines.stream().filter(line -> line.contains("session=" + session.id())).toList();
        assertThat(aboutIt).hasSizeGreaterThanOrEqualTo(2);
        for (String line : aboutIt) {
            assertThat(line).as("the pattern shows conn").contains(" conn=" + session.id() + " - ");
        }
        assertThat(lines).as("text, not JSON").noneMatch(line -> line.startsWith("{"));
        assertNoToken(lines, session.token());
    }

    /** The connection a scenario used: its id (welcome.session) and its token. */
    private record Session(String id, String token) {
    }

    /** A connection with its token in the URL joins, publishes, sends a bad frame and closes. */
    private static Session exercise(NodeProcess node) {
        String user = Cluster.unique("logged");
        String token = new Tokens(NodeProcess.SECRET).mint(user, "Logged");
        String room = Cluster.unique("logroom");
        TestClient client = TestClient.to(node.wsBase()).label(user).token(token).placement(TokenPlacement.QUERY).connect();
        String id = client.welcome().path("session").asText();
        try {
            client.join(room);
            client.publish(room, Json.obj("text", "hello"));
            client.send("{\"type\":\"refresh\",\"id\":\"r\",\"token\":\"" + token + "x\"}"); // refused, not logged
            client.await(Frames.type("error"));
        } finally {
            client.close();
        }
        Poll.until(Duration.ofSeconds(5), () -> nodeLines(node).stream().anyMatch(line -> line.contains("closed")
                && line.contains(id)), "the connection's close line");
        return new Session(id, token);
    }

    private static void assertNoToken(List<String> lines, String token) {
        String[] parts = token.split("\\.");
        for (String line : lines) {
            assertThat(line).as("a log line").doesNotContain(token).doesNotContain(parts[1]).doesNotContain(parts[2]);
        }
    }

    /** The node's own output (stdout and stderr), without the harness's header lines. */
    private static List<String> nodeLines(NodeProcess node) {
        try {
            return Files.readAllLines(node.log(), StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.startsWith(HARNESS_HEADER)).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + node.log() + ": " + e, e);
        }
    }
}
