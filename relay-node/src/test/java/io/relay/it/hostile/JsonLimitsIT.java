package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, JSON limits (docs/protocol.md, Frames): nesting deeper than 32, strings longer than
 * 65,536 characters, numbers longer than 100 digits, duplicate keys and trailing data are
 * {@code bad_request}, the connection stays open, and nothing of the frame is acted on. The limits
 * are exact: one less is accepted. Frames may be up to 256 KiB here, so the string limit is reached
 * before the frame limit.
 */
class JsonLimitsIT {
    private static final int MAX_FRAME = 256 * 1024;
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1, b -> b.maxFrameBytes(MAX_FRAME));
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
    void nestingDeeperThan32IsBadRequest() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            Member m = member("deep");
            // the frame object is level 1: data nested 31 deep makes 32
            m.assertAccepted(publish(m.room, "d32", nested(31)));
            m.assertRefused(publish(m.room, "d33", nested(32)));
            m.assertRefused("{\"type\":\"ping\",\"id\":\"x\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
            m.assertRefused("{\"type\":\"ping\",\"id\":\"x\",\"x\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}");
            m.assertNothingPublished();
            System.out.println("JsonLimitsIT depth: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void aStringLongerThan65536CharactersIsBadRequest() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            Member m = member("long-string");
            m.assertAccepted(publish(m.room, "s65536", "\"" + "s".repeat(65_536) + "\""));
            m.assertRefused(publish(m.room, "s65537", "\"" + "s".repeat(65_537) + "\""));
            // in any field, not only data
            m.assertRefused("{\"type\":\"ping\",\"id\":\"" + "i".repeat(65_537) + "\"}");
            m.assertRefused("{\"type\":\"publish\",\"id\":\"s\",\"room\":\"" + m.room + "\",\"data\":1,\"extra\":\""
                    + "e".repeat(100_000) + "\"}");
            m.assertNothingPublished();
            System.out.println("JsonLimitsIT strings: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void aNumberLongerThan100DigitsIsBadRequest() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            Member m = member("long-number");
            String hundred = "9".repeat(100);
            JsonNode relayed = m.assertAccepted(publish(m.room, "n100", hundred));
            assertThat(relayed.path("data").bigIntegerValue().toString()).as("relayed exactly").isEqualTo(hundred);

            m.assertRefused(publish(m.room, "n101", "9".repeat(101)));
            m.assertRefused(publish(m.room, "f101", "0." + "1".repeat(101)));
            m.assertRefused(publish(m.room, "e101", "1e" + "1".repeat(101)));
            m.assertRefused(publish(m.room, "m", "[" + ("1".repeat(60) + ",").repeat(10) + "1".repeat(1_000) + "]"));
            m.assertNothingPublished();
            System.out.println("JsonLimitsIT numbers: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void duplicateKeysAreBadRequestAtAnyLevel() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            Member m = member("dupes");
            String other = Cluster.unique("dupes-other");
            m.assertRefused("{\"type\":\"publish\",\"id\":\"d1\",\"room\":\"" + other + "\",\"room\":\"" + m.room
                    + "\",\"data\":1}");
            m.assertRefused("{\"type\":\"publish\",\"id\":\"d2\",\"room\":\"" + m.room + "\",\"data\":{\"a\":1,\"a\":2}}");
            m.assertRefused("{\"type\":\"publish\",\"id\":\"d3\",\"room\":\"" + m.room
                    + "\",\"data\":[{\"x\":{\"y\":1,\"y\":1}}]}");
            m.assertRefused("{\"type\":\"publish\",\"id\":\"d4\",\"room\":\"" + m.room
                    + "\",\"data\":1,\"data\":2}");
            m.assertRefused("{\"id\":\"d5\",\"type\":\"ping\",\"id\":\"d6\"}");
            m.assertNothingPublished();
            System.out.println("JsonLimitsIT duplicates: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void trailingDataIsBadRequestAndASmuggledSecondFrameIsNotRun() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            Member m = member("trailing");
            String smuggled = "{\"type\":\"publish\",\"id\":\"t2\",\"room\":\"" + m.room + "\",\"data\":\"smuggled\"}";
            m.assertRefused("{\"type\":\"ping\",\"id\":\"t1\"}" + smuggled);
            m.assertRefused(smuggled + "\n" + smuggled);
            m.assertRefused(smuggled + " xyz");
            m.assertRefused(smuggled + "]");
            m.assertRefused("{\"type\":\"ping\",\"id\":\"t3\"} // comment");
            m.hostile.assertNoFrame(Frames.type("pong"), Duration.ofMillis(200));
            m.assertNothingPublished();
            System.out.println("JsonLimitsIT trailing: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A careless client and a watcher in a fresh room on node 0. */
    private static Member member(String prefix) {
        String room = Cluster.unique(prefix);
        TestClient hostile = cluster.connect(0, "hostile-" + room, "Hostile");
        TestClient watcher = cluster.connect(0, "watcher-" + room, "Watcher");
        hostile.join(room);
        watcher.join(room);
        return new Member(room, hostile, watcher);
    }

    private record Member(String room, TestClient hostile, TestClient watcher) {
        /** A publish that must be acked, and its message delivered. */
        JsonNode assertAccepted(String frame) {
            hostile.send(frame);
            JsonNode ack = hostile.await(Frames.type("ack").or(Frames.type("error")), Duration.ofSeconds(5),
                    "the reply to a frame at the limit");
            assertThat(ack.path("type").asText()).as("reply to a frame at the limit: %s", Json.brief(ack, 300))
                    .isEqualTo("ack");
            return watcher.await(Frames.message(room), Duration.ofSeconds(5), "the message at the limit");
        }

        /** A frame that must be answered {@code bad_request}, briefly, with the connection kept. */
        void assertRefused(String frame) {
            hostile.send(frame);
            JsonNode error = hostile.await(Frames.type("error").or(Frames.type("ack")), Duration.ofSeconds(5),
                    "the reply to " + Json.brief(Json.MAPPER.getNodeFactory().textNode(frame), 120));
            assertThat(error.path("code").asText()).as("reply to %s: %s",
                    Json.brief(Json.MAPPER.getNodeFactory().textNode(frame), 120), error).isEqualTo("bad_request");
            assertThat(error.toString().length()).as("an error does not echo the input: %s", Json.brief(error, 300))
                    .isLessThan(1_000);
            hostile.ping();
        }

        /** No refused publish reached the room. */
        void assertNothingPublished() {
            watcher.assertNoFrame(Frames.message(room), Duration.ofMillis(200));
            hostile.assertNoFrame(Frames.type("ack"), Duration.ofMillis(0));
        }
    }

    private static String publish(String room, String id, String dataJson) {
        return "{\"type\":\"publish\",\"id\":\"" + id + "\",\"room\":\"" + room + "\",\"data\":" + dataJson + "}";
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "1" + "]".repeat(depth);
    }
}
