package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.HostileSocket;
import io.relay.testing.HostileSocket.Close;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, binary frames, invalid UTF-8, unknown fields: a binary message (whole or in fragments)
 * is {@code bad_request} and the connection stays; invalid UTF-8 in a text message is closed with
 * 1007 by Undertow (valid UTF-8 split across fragments is fine); unknown fields are ignored and the
 * frame works, and none of them reaches another client. Violations of the WebSocket framing itself
 * (RFC 6455: reserved opcodes and bits, oversized or fragmented control frames, unmasked frames,
 * stray continuations) are closed with 1002.
 */
class MalformedFramesIT {
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(5);
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1);
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
    void binaryFramesAreBadRequestAndTheConnectionStaysOpen() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            try (HostileSocket client = open("binary")) {
                byte[] ping = "{\"type\":\"ping\",\"id\":\"in-binary\"}".getBytes(StandardCharsets.UTF_8);
                client.sendFrame(true, 0, HostileSocket.OP_BINARY, ping);
                assertBadRequest(client, "a binary frame holding a ping");
                client.sendRaw(concat(HostileSocket.frame(false, 0, HostileSocket.OP_BINARY, new byte[1000]),
                        HostileSocket.frame(false, 0, HostileSocket.OP_CONTINUATION, new byte[1000]),
                        HostileSocket.frame(true, 0, HostileSocket.OP_CONTINUATION, new byte[1000])));
                assertBadRequest(client, "a binary message in three fragments");
                client.sendFrame(true, 0, HostileSocket.OP_BINARY, new byte[60_000]);
                assertBadRequest(client, "a binary frame of 60 KB");
                assertThat(client.received()).as("no pong for a ping in a binary frame")
                        .noneMatch(f -> "in-binary".equals(f.path("id").asText(null)));
                assertPong(client, "after binary frames");

                // and the size limit holds for binary messages too
                client.sendFrame(true, 0, HostileSocket.OP_BINARY, new byte[65_537]);
                Close close = client.awaitClose(CLOSED_WITHIN);
                assertThat(close.code()).as("close after a binary frame over 64 KiB: %s", close).isEqualTo(1009);
            }
            System.out.println("MalformedFramesIT binary: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void invalidUtf8IsClosedWith1007() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            Map<String, byte[]> invalid = new LinkedHashMap<>();
            invalid.put("C3 28 (bad continuation)", bytes(0xC3, 0x28));
            invalid.put("FF", bytes(0xFF));
            invalid.put("C0 AF (overlong '/')", bytes(0xC0, 0xAF));
            invalid.put("ED A0 80 (a UTF-16 surrogate)", bytes(0xED, 0xA0, 0x80));
            invalid.put("F4 90 80 80 (above U+10FFFF)", bytes(0xF4, 0x90, 0x80, 0x80));
            invalid.put("E2 82 (truncated at the end)", bytes(0xE2, 0x82));
            for (Map.Entry<String, byte[]> bad : invalid.entrySet()) {
                try (HostileSocket client = open("utf8")) {
                    byte[] head = "{\"type\":\"ping\",\"id\":\"".getBytes(StandardCharsets.US_ASCII);
                    byte[] payload = bad.getKey().contains("truncated") ? concat(head, bad.getValue())
                            : concat(head, bad.getValue(), "\"}".getBytes(StandardCharsets.US_ASCII));
                    client.sendFrame(true, 0, HostileSocket.OP_TEXT, payload);
                    assertClosed(client, 1007, "invalid UTF-8 " + bad.getKey());
                }
            }
            try (HostileSocket client = open("utf8-split")) {
                client.sendRaw(concat(
                        HostileSocket.frame(false, 0, HostileSocket.OP_TEXT, concat(ascii("{\"type\":\"ping\",\"id\":\""), bytes(0xE2))),
                        HostileSocket.frame(true, 0, HostileSocket.OP_CONTINUATION, concat(bytes(0x28), ascii("\"}")))));
                assertClosed(client, 1007, "invalid UTF-8 across two fragments");
            }
            try (HostileSocket client = open("utf8-valid-split")) {
                client.sendRaw(concat(
                        HostileSocket.frame(false, 0, HostileSocket.OP_TEXT, concat(ascii("{\"type\":\"ping\",\"id\":\""), bytes(0xE2, 0x82))),
                        HostileSocket.frame(true, 0, HostileSocket.OP_CONTINUATION, concat(bytes(0xAC), ascii("\"}")))));
                JsonNode pong = client.await(Frames.type("pong").or(Frames.type("error")), Duration.ofSeconds(5),
                        "the pong to a ping whose '\u20ac' is split across fragments");
                assertThat(pong.path("id").asText()).as("reply %s", pong).isEqualTo("\u20ac");
            }
            System.out.println("MalformedFramesIT UTF-8: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void unknownFieldsAreIgnoredAndTheFrameWorks() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String room = Cluster.unique("extras");
            TestClient client = cluster.connect(0, "extra-" + room, "Extra");
            TestClient watcher = cluster.connect(0, "watcher-" + room, "Watcher");
            watcher.join(room);

            JsonNode pong = client.request(Json.obj("type", "ping", "id", "p", "priority", "high", "nested",
                    Json.obj("deep", Json.obj("deeper", new int[] {1, 2}))));
            client.expectType(pong, "pong");
            JsonNode joined = client.request(Json.obj("type", "join", "id", "j", "room", room, "role", "admin",
                    "members", new String[] {"admin"}));
            client.expectType(joined, "joined");
            JsonNode ack = client.request(Json.obj("type", "publish", "id", "pub", "room", room,
                    "data", Json.obj("text", "hi", "__proto__", Json.obj("admin", true)),
                    "__proto__", Json.obj("admin", true), "constructor", "x", "retain", true, "to", "everyone"));
            client.expectType(ack, "ack");
            JsonNode m = watcher.await(Frames.message(room));
            assertThat(m.path("data")).as("data relayed as sent").isEqualTo(Json.obj("text", "hi", "__proto__",
                    Json.obj("admin", true)));
            for (String extra : new String[] {"__proto__", "constructor", "retain", "to", "role", "priority"}) {
                assertThat(m.has(extra)).as("unknown field %s not relayed: %s", extra, m).isFalse();
            }
            System.out.println("MalformedFramesIT unknown fields: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void webSocketProtocolViolationsAreClosedWith1002() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            Map<String, Consumer<HostileSocket>> violations = new LinkedHashMap<>();
            violations.put("reserved data opcode 3", s -> s.sendFrame(true, 0, 0x3, ascii("{}")));
            violations.put("reserved control opcode 0xB", s -> s.sendFrame(true, 0, 0xB, new byte[0]));
            violations.put("RSV2 set", s -> s.sendFrame(true, 0x20, HostileSocket.OP_TEXT, ascii("{}")));
            violations.put("a ping of 126 bytes", s -> s.sendFrame(true, 0, HostileSocket.OP_PING, new byte[126]));
            violations.put("a fragmented ping", s -> s.sendFrame(false, 0, HostileSocket.OP_PING, new byte[3]));
            violations.put("a continuation without a start", s -> s.sendFrame(true, 0, HostileSocket.OP_CONTINUATION,
                    ascii("{}")));
            violations.put("a new text frame inside a fragmented one", s -> s.sendRaw(concat(
                    HostileSocket.frame(false, 0, HostileSocket.OP_TEXT, ascii("{\"ty")),
                    HostileSocket.frame(true, 0, HostileSocket.OP_TEXT, ascii("pe\":\"ping\"}")))));
            violations.put("a close with code 999", s -> s.sendFrame(true, 0, HostileSocket.OP_CLOSE, bytes(0x03, 0xE7)));
            violations.put("an unmasked frame", s -> s.sendRaw(concat(bytes(0x81, 15), ascii("{\"type\":\"ping\"}"))));
            for (Map.Entry<String, Consumer<HostileSocket>> violation : violations.entrySet()) {
                try (HostileSocket client = open("violation")) {
                    violation.getValue().accept(client);
                    assertClosed(client, 1002, violation.getKey());
                }
            }
            System.out.println("MalformedFramesIT violations: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static HostileSocket open(String prefix) {
        String user = Cluster.unique(prefix);
        HostileSocket client = HostileSocket.to(cluster.wsBase(0)).label(user).token(cluster.token(user, "M")).open();
        client.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome");
        return client;
    }

    private static void assertBadRequest(HostileSocket client, String what) {
        JsonNode error = client.await(Frames.type("error"), Duration.ofSeconds(5), "the error for " + what);
        assertThat(error.path("code").asText()).as("%s: %s", what, error).isEqualTo("bad_request");
        assertThat(client.isClosed()).as("closed after %s", what).isFalse();
    }

    private static void assertPong(HostileSocket client, String what) {
        client.sendText("{\"type\":\"ping\",\"id\":\"alive\"}");
        client.await(f -> Frames.type("pong").test(f) && "alive".equals(f.path("id").asText()), Duration.ofSeconds(5),
                "a pong " + what);
    }

    private static void assertClosed(HostileSocket client, int code, String what) {
        Close close = client.awaitClose(CLOSED_WITHIN);
        assertThat(close.code()).as("close after %s: %s", what, close).isEqualTo(code);
        assertThat(client.received()).as("frames after %s", what).noneMatch(Frames.type("pong"));
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }
}
