package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, identity (RELIABILITY.md S-17, S-18): {@code from} and {@code ts} of room and direct
 * messages are the server's, whatever {@code from}, {@code sender}, {@code ts} or {@code offset} a
 * client sends, on the sender's node and on others; and names that could reach another Redis key or
 * channel (globs, braces, spaces, control characters, over 128 characters) are refused: rooms with
 * {@code invalid_room}, a direct's {@code to} with {@code bad_request}, and no such key or channel
 * ever exists.
 */
class IdentityIT {
    private static final List<String> HOSTILE_NAMES = List.of("*", "a?", "[a-z]", "{tag}", "x y", "a\u0000b",
            "n".repeat(129), "a*", "tag}:x{", "line\nbreak", "caf\u00e9");
    private static final Set<String> MESSAGE_FIELDS = Set.of("type", "room", "from", "data", "ts", "offset");
    private static final Set<String> DIRECT_FIELDS = Set.of("type", "from", "to", "data", "ts");
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(2);
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
    void roomMessagesCarryTheServersFromAndTsOnEveryNode() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String room = Cluster.unique("stage");
            String speaker = "speaker-" + room;
            String victim = "victim-" + room;
            TestClient impostor = cluster.connect(0, speaker, "Speaker");
            TestClient here = cluster.connect(0, "here-" + room, "Here");
            TestClient there = cluster.connect(1, victim, "Victim");
            for (TestClient c : List.of(impostor, here, there)) {
                c.join(room);
            }

            long before = System.currentTimeMillis();
            JsonNode ack = impostor.request(Json.obj("type", "publish", "id", "spoof", "room", room,
                    "data", Json.obj("text", "I am the victim"), "from", Json.obj("id", victim, "name", "Victim"),
                    "sender", victim, "user", Json.obj("id", victim), "ts", 1, "offset", "fake:1", "name", "Victim"));
            impostor.expectType(ack, "ack");
            long after = System.currentTimeMillis();

            for (TestClient receiver : List.of(here, there, impostor)) {
                JsonNode m = receiver.await(Frames.message(room));
                assertThat(m.path("from")).as("from at %s: %s", receiver, m).isEqualTo(Json.obj("id", speaker, "name", "Speaker"));
                assertThat(m.path("ts").asLong()).as("ts at %s: %s", receiver, m).isBetween(before, after);
                assertThat(m.path("offset").asText()).as("offset at %s", receiver).isEqualTo(ack.path("offset").asText());
                assertThat(fieldNames(m)).as("fields at %s: %s", receiver, m).isEqualTo(MESSAGE_FIELDS);
                assertThat(m.path("data")).isEqualTo(Json.obj("text", "I am the victim"));
            }
            JsonNode history = there.request(Json.obj("type", "history", "id", "h", "room", room));
            JsonNode stored = history.path("messages").path(0);
            assertThat(stored.path("from").path("id").asText()).as("history %s", history).isEqualTo(speaker);
            assertThat(stored.path("ts").asLong()).as("history %s", history).isBetween(before, after);
            System.out.println("IdentityIT room: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void directMessagesCarryTheServersFromAndTsOnEveryNode() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String tag = Cluster.unique("whisper");
            String sender = "sender-" + tag;
            String recipient = "recipient-" + tag;
            String victim = "victim-" + tag;
            TestClient impostor = cluster.connect(0, sender, "Sender");
            TestClient recipientHere = cluster.connect(0, recipient, "Recipient");
            TestClient recipientThere = cluster.connect(1, recipient, "Recipient");
            cluster.connect(1, victim, "Victim");

            long before = System.currentTimeMillis();
            JsonNode ack = impostor.request(Json.obj("type", "direct", "id", "spoof", "to", recipient,
                    "data", Json.obj("text", "from your friend"), "from", Json.obj("id", victim, "name", "Victim"),
                    "sender", victim, "ts", 1));
            impostor.expectType(ack, "ack");
            assertThat(ack.path("delivered").asInt()).as("ack %s", ack).isEqualTo(2);
            long after = System.currentTimeMillis();

            for (TestClient receiver : List.of(recipientHere, recipientThere)) {
                JsonNode d = receiver.await(Frames.type("direct"));
                assertThat(d.path("from")).as("from at %s: %s", receiver, d).isEqualTo(Json.obj("id", sender, "name", "Sender"));
                assertThat(d.path("to").asText()).isEqualTo(recipient);
                assertThat(d.path("ts").asLong()).as("ts at %s: %s", receiver, d).isBetween(before, after);
                assertThat(fieldNames(d)).as("fields at %s: %s", receiver, d).isEqualTo(DIRECT_FIELDS);
            }
            System.out.println("IdentityIT direct: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void roomNamesThatCouldReachOtherKeysAreInvalidRoom() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String tag = Cluster.unique("globber");
            TestClient client = cluster.connect(0, tag, "Globber");
            for (String room : HOSTILE_NAMES) {
                for (String type : List.of("join", "publish", "presence", "history", "leave")) {
                    JsonNode reply = client.request(Json.obj("type", type, "id", type, "room", room, "data", "x"));
                    assertThat(reply.path("code").asText()).as("%s of room %s: %s", type, Json.MAPPER.valueToTree(room), reply)
                            .isEqualTo("invalid_room");
                    assertThat(reply.path("id").asText()).isEqualTo(type);
                }
            }
            client.ping();
            assertNoKeyOrChannelFor(HOSTILE_NAMES);

            // the same names in the path of /ws/{room}, percent-encoded: every one is reported
            SoftAssertions paths = new SoftAssertions();
            for (String room : HOSTILE_NAMES.subList(0, 7)) {
                String encoded = URLEncoder.encode(room, StandardCharsets.UTF_8).replace("+", "%20");
                TestClient viaPath = cluster.track(cluster.client(0, tag + "-path").path("/ws/" + encoded)
                        .token(cluster.token(tag, "Globber")).connect());
                JsonNode reply = viaPath.await(Frames.type("error").or(Frames.type("joined")));
                paths.assertThat(reply.path("code").asText()).as("the reply to /ws/%s (room %s): %s", encoded,
                        Json.MAPPER.valueToTree(room), reply).isEqualTo("invalid_room");
                viaPath.close();
            }
            paths.assertAll();
            System.out.println("IdentityIT rooms: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void aDirectToANameThatCouldReachOtherChannelsIsBadRequest() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String tag = Cluster.unique("prowler");
            TestClient client = cluster.connect(0, tag, "Prowler");
            // online users a glob could match: "a?" and "a*" match "ab", "[a-z]" matches "x", "*" everyone
            TestClient ab = cluster.connect(1, "ab", "Ab");
            TestClient x = cluster.connect(0, "x", "X");
            List<String> names = new ArrayList<>(HOSTILE_NAMES);
            names.add("");
            for (String to : names) {
                JsonNode reply = client.request(Json.obj("type", "direct", "id", "d", "to", to, "data", "psst"));
                assertThat(reply.path("code").asText()).as("direct to %s: %s", Json.MAPPER.valueToTree(to), reply)
                        .isEqualTo("bad_request");
                assertThat(reply.path("id").asText()).isEqualTo("d");
            }
            TestClient.assertNoFrame(List.of(ab, x, bystander.watcher()), Frames.type("direct"), Duration.ofMillis(300));
            client.ping();
            assertNoKeyOrChannelFor(names);
            System.out.println("IdentityIT direct names: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** No key or pub/sub channel in Redis carries one of {@code names} as a room or user. */
    private static void assertNoKeyOrChannelFor(List<String> names) {
        List<String> keys = new ArrayList<>(cluster.redis().commands().keys("*"));
        keys.addAll(cluster.redis().commands().pubsubChannels());
        for (String key : keys) {
            for (String name : names) {
                assertThat(key).as("Redis key or channel").doesNotContain("{" + name + "}");
            }
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
