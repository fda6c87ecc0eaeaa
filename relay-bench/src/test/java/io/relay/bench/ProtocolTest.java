package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Frames as the shared bench's servers write them (captured from socket.io 4.8.4 and ws 8.23.0). */
class ProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FrameScanner.Type type(Protocol p, String frame) {
        byte[] b = frame.getBytes(StandardCharsets.UTF_8);
        return p.type(b, b.length);
    }

    @Test
    void readsSocketIoPackets() {
        Protocol p = Protocol.SOCKETIO;
        assertThat(type(p, "0{\"sid\":\"Zx1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}"))
                .isEqualTo(FrameScanner.Type.OPEN);
        assertThat(type(p, "40{\"sid\":\"k2Q\"}")).isEqualTo(FrameScanner.Type.WELCOME);
        assertThat(type(p, "420[{\"ok\":true,\"node\":7101}]")).isEqualTo(FrameScanner.Type.OTHER);
        assertThat(type(p, "430[{\"ok\":true,\"node\":7101}]")).isEqualTo(FrameScanner.Type.JOINED);
        assertThat(type(p, "42[\"message\",{\"room\":\"r\",\"from\":\"k2Q\",\"data\":{\"t\":1}}]")).isEqualTo(FrameScanner.Type.MESSAGE);
        assertThat(type(p, "42[\"other\",{}]")).isEqualTo(FrameScanner.Type.OTHER);
        assertThat(type(p, "44{\"message\":\"Invalid namespace\"}")).isEqualTo(FrameScanner.Type.ERROR);
        assertThat(type(p, "2")).isEqualTo(FrameScanner.Type.PING);
        assertThat(type(p, "2probe")).isEqualTo(FrameScanner.Type.OTHER);
        assertThat(type(p, "")).isEqualTo(FrameScanner.Type.OTHER);
        assertThat(p.handshake()).isEqualTo("40");
        assertThat(p.pong()).isEqualTo("3");
        assertThat(p.join("bench-r-3", "bench-7")).containsExactly("420[\"join\",\"bench-r-3\"]");
        assertThat(p.acksPublishes()).isFalse();
        assertThat(p.needsToken()).isFalse();
    }

    @Test
    void aSocketIoPublishIsThePublishEventWithTheBenchMessageAsData() throws Exception {
        String frame = Protocol.SOCKETIO.publish("bench-r-3", 12, 345, 9_876, 100);
        assertThat(frame).startsWith("42[");
        JsonNode event = JSON.readTree(frame.substring(2));
        assertThat(event.get(0).asText()).isEqualTo("publish");
        assertThat(event.get(1).get("room").asText()).isEqualTo("bench-r-3");
        JsonNode data = event.get(1).get("data");
        assertThat(data.toString().getBytes(StandardCharsets.UTF_8)).hasSize(100);
        // the server relays data as it came: the scanner reads it back from the message event
        String message = "42[\"message\",{\"room\":\"bench-r-3\",\"from\":\"k2Q\",\"data\":" + data + "}]";
        long[] fields = new long[3];
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        assertThat(FrameScanner.benchMessage(b, b.length, fields)).isTrue();
        assertThat(fields).containsExactly(9_876, 12, 345);
    }

    @Test
    void aSeedWsJoinIsConfirmedOnlyByTheUsersOwnProbe() throws Exception {
        Protocol p = Protocol.SEEDWS;
        assertThat(p.welcomesOnOpen()).isTrue();
        assertThat(p.join("bench-r-1", "bench-7")).hasSize(2);
        JsonNode join = JSON.readTree(p.join("bench-r-1", "bench-7").get(0));
        JsonNode probe = JSON.readTree(p.join("bench-r-1", "bench-7").get(1));
        assertThat(join.get("type").asText()).isEqualTo("join");
        assertThat(join.get("room").asText()).isEqualTo("bench-r-1");
        assertThat(probe.get("type").asText()).isEqualTo("publish");
        assertThat(probe.get("data").get("probe").asText()).isEqualTo("bench-7");

        byte[] own = ("{\"type\":\"message\",\"room\":\"bench-r-1\",\"from\":\"c9\",\"data\":" + probe.get("data") + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] other = "{\"type\":\"message\",\"room\":\"bench-r-1\",\"from\":\"c9\",\"data\":{\"probe\":\"bench-70\"}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(p.type(own, own.length)).isEqualTo(FrameScanner.Type.MESSAGE);
        assertThat(FrameScanner.contains(own, own.length, p.joinProbe("bench-7"))).isTrue();
        assertThat(FrameScanner.contains(other, other.length, p.joinProbe("bench-7"))).isFalse();
        assertThat(p.acksPublishes()).isFalse();
    }

    @Test
    void aSeedWsPublishCarriesTheBenchMessage() throws Exception {
        JsonNode frame = JSON.readTree(Protocol.SEEDWS.publish("bench-r-1", 4, 77, 123, 60));
        assertThat(frame.get("type").asText()).isEqualTo("publish");
        assertThat(frame.get("room").asText()).isEqualTo("bench-r-1");
        assertThat(frame.get("data").get("s").asLong()).isEqualTo(77);
        assertThat(frame.get("data").toString().getBytes(StandardCharsets.UTF_8)).hasSize(60);
    }

    @Test
    void relayIsUnchanged() {
        Protocol p = Protocol.RELAY;
        assertThat(p.publish("r", 1, 2, 3, 100)).isEqualTo(PublishFrame.of("r", 1, 2, 3, 100));
        assertThat(p.join("r", "u")).containsExactly(PublishFrame.join("r"));
        assertThat(p.acksPublishes()).isTrue();
        assertThat(p.needsToken()).isTrue();
        assertThat(p.joinProbe("u")).isNull();
        assertThat(type(p, "{\"type\":\"welcome\",\"session\":\"s-1\"}")).isEqualTo(FrameScanner.Type.WELCOME);
    }
}
