package io.relay.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Well-formed client frames decode with their fields; server frames encode to PROTOCOL.md's JSON. */
class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec();

    @Test
    void decodesJoin() {
        assertThat(codec.decode("{\"type\":\"join\",\"id\":\"1\",\"room\":\"lobby\"}"))
                .isEqualTo(new ClientFrame.Join(TextNode.valueOf("1"), "lobby", null));
        assertThat(codec.decode("{\"type\":\"join\",\"room\":\"lobby\",\"since\":\"q7Kf:1732250000000-0\"}"))
                .isEqualTo(new ClientFrame.Join(null, "lobby", "q7Kf:1732250000000-0"));
    }

    @Test
    void takesAnExplicitNullOptionalFieldAsAbsent() {
        assertThat(codec.decode("{\"type\":\"join\",\"id\":null,\"room\":\"lobby\",\"since\":null}"))
                .isEqualTo(new ClientFrame.Join(null, "lobby", null));
        assertThat(codec.decode("{\"type\":\"history\",\"room\":\"r\",\"since\":null,\"limit\":null}"))
                .isEqualTo(new ClientFrame.History(null, "r", null, FrameCodec.HISTORY_DEFAULT_LIMIT));
        assertThat(((ClientFrame.Publish) codec.decode(
                "{\"type\":\"publish\",\"room\":\"r\",\"data\":1,\"key\":null}")).key()).isNull();
    }

    @Test
    void relaysNumbersExactly() {
        String prefix = codec.messagePrefix("r", new Member("u", null),
                codec.parse("{\"big\":1e999,\"money\":1.50,\"n\":12345678901234567890123,\"e\":1E2}"), 1);
        assertThat(FrameCodec.completeMessage(prefix, "e:1"))
                .contains("\"data\":{\"big\":1E+999,\"money\":1.50,\"n\":12345678901234567890123,\"e\":1E+2}");
    }

    @Test
    void decodesLeave() {
        assertThat(codec.decode("{\"type\":\"leave\",\"id\":2,\"room\":\"a:b.c@d_e-f\"}"))
                .isEqualTo(new ClientFrame.Leave(IntNode.valueOf(2), "a:b.c@d_e-f"));
    }

    @Test
    void decodesPublish() {
        ClientFrame.Publish p = (ClientFrame.Publish) codec.decode(
                "{\"type\":\"publish\",\"id\":\"3\",\"room\":\"lobby\",\"data\":{\"text\":\"hi\"},\"key\":\"k-1\"}");

        assertThat(p.id()).isEqualTo(TextNode.valueOf("3"));
        assertThat(p.room()).isEqualTo("lobby");
        assertThat(p.data()).isEqualTo(codec.parse("{\"text\":\"hi\"}"));
        assertThat(p.key()).isEqualTo("k-1");
    }

    @Test
    void acceptsAnyJsonValueAsData() {
        for (String data : new String[] {"null", "1", "-2.5", "\"s\"", "true", "[]", "[1,{\"a\":[null]}]", "{}"}) {
            ClientFrame.Publish p = (ClientFrame.Publish) codec.decode(
                    "{\"type\":\"publish\",\"room\":\"r\",\"data\":" + data + "}");

            assertThat(p.data()).isEqualTo(codec.parse(data));
            assertThat(p.key()).isNull();
        }
    }

    @Test
    void keepsANullDataLiteralAsANullNode() {
        ClientFrame.Publish p = (ClientFrame.Publish) codec.decode("{\"type\":\"publish\",\"room\":\"r\",\"data\":null}");

        assertThat(p.data()).isEqualTo(NullNode.getInstance());
    }

    @Test
    void acceptsAKeyOf64Characters() {
        String key = "k".repeat(FrameCodec.MAX_KEY_LENGTH);

        ClientFrame.Publish p = (ClientFrame.Publish) codec.decode(
                "{\"type\":\"publish\",\"room\":\"r\",\"data\":1,\"key\":\"" + key + "\"}");

        assertThat(p.key()).isEqualTo(key);
    }

    @Test
    void decodesDirect() {
        ClientFrame.Direct d = (ClientFrame.Direct) codec.decode(
                "{\"type\":\"direct\",\"id\":\"4\",\"to\":\"u2@x.y\",\"data\":{\"text\":\"psst\"}}");

        assertThat(d.to()).isEqualTo("u2@x.y");
        assertThat(d.data().get("text").textValue()).isEqualTo("psst");
        assertThat(d.id()).isEqualTo(TextNode.valueOf("4"));
    }

    @Test
    void decodesPresence() {
        assertThat(codec.decode("{\"type\":\"presence\",\"id\":\"5\",\"room\":\"lobby\"}"))
                .isEqualTo(new ClientFrame.Presence(TextNode.valueOf("5"), "lobby"));
    }

    @Test
    void decodesHistoryWithTheDefaultLimit() {
        assertThat(codec.decode("{\"type\":\"history\",\"room\":\"lobby\"}"))
                .isEqualTo(new ClientFrame.History(null, "lobby", null, FrameCodec.HISTORY_DEFAULT_LIMIT));
        assertThat(FrameCodec.HISTORY_DEFAULT_LIMIT).isEqualTo(50);
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "50, 50", "500, 500", "501, 500", "100000, 500", "2147483648, 500",
            "99999999999999999999999, 500"})
    void cutsTheHistoryLimitTo500(String limit, int expected) {
        ClientFrame.History h = (ClientFrame.History) codec.decode(
                "{\"type\":\"history\",\"room\":\"lobby\",\"since\":\"e:1-0\",\"limit\":" + limit + "}");

        assertThat(h.limit()).isEqualTo(expected);
        assertThat(h.since()).isEqualTo("e:1-0");
    }

    @Test
    void decodesRefresh() {
        assertThat(codec.decode("{\"type\":\"refresh\",\"id\":\"6\",\"token\":\"a.b.c\"}"))
                .isEqualTo(new ClientFrame.Refresh(TextNode.valueOf("6"), "a.b.c"));
    }

    @Test
    void decodesPing() {
        assertThat(codec.decode("{\"type\":\"ping\"}")).isEqualTo(new ClientFrame.Ping(null));
        assertThat(codec.decode("{\"type\":\"ping\",\"id\":7}")).isEqualTo(new ClientFrame.Ping(IntNode.valueOf(7)));
    }

    @Test
    void keepsStringAndNumberIdsAsGiven() {
        assertThat(codec.decode("{\"type\":\"ping\",\"id\":\"abc\"}").id()).isEqualTo(TextNode.valueOf("abc"));
        assertThat(codec.decode("{\"type\":\"ping\",\"id\":12}").id().intValue()).isEqualTo(12);
        assertThat(codec.decode("{\"type\":\"ping\",\"id\":1.5}").id().doubleValue()).isEqualTo(1.5);
        assertThat(codec.encode(new ServerFrame.Pong(codec.decode("{\"type\":\"ping\",\"id\":12}").id())))
                .isEqualTo("{\"type\":\"pong\",\"id\":12}");
        assertThat(codec.encode(new ServerFrame.Pong(codec.decode("{\"type\":\"ping\",\"id\":\"12\"}").id())))
                .isEqualTo("{\"type\":\"pong\",\"id\":\"12\"}");
    }

    @Test
    void ignoresFromSenderAndTsSentByAClient() {
        ClientFrame f = codec.decode("{\"type\":\"publish\",\"room\":\"r\",\"data\":1,"
                + "\"from\":{\"id\":\"victim\"},\"sender\":\"victim\",\"ts\":1}");

        assertThat(f).isEqualTo(new ClientFrame.Publish(null, "r", IntNode.valueOf(1), null));
    }

    @Test
    void acceptsWhitespaceAroundTheFrame() {
        assertThat(codec.decode(" \n{ \"type\" : \"ping\" }\t\n")).isEqualTo(new ClientFrame.Ping(null));
    }

    // ---- server frames: PROTOCOL.md's examples ----

    @Test
    void encodesWelcome() {
        assertEncodes(new ServerFrame.Welcome("s-9f2c", "node-a", new Member("u1", "Ann"), 25),
                "{\"type\":\"welcome\",\"session\":\"s-9f2c\",\"node\":\"node-a\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\"},\"heartbeat\":25}");
    }

    @Test
    void encodesJoined() {
        assertEncodes(new ServerFrame.Joined(TextNode.valueOf("1"), "lobby", List.of(new Member("u1", "Ann")),
                        "q7Kf:1732250000000-0", true, 3),
                "{\"type\":\"joined\",\"id\":\"1\",\"room\":\"lobby\",\"members\":[{\"id\":\"u1\",\"name\":\"Ann\"}],"
                        + "\"offset\":\"q7Kf:1732250000000-0\",\"recovered\":true,\"missed\":3}");
        assertEncodes(new ServerFrame.Joined(null, "lobby", List.of(new Member("u1", null)), "q7Kf:0-0", null, null),
                "{\"type\":\"joined\",\"room\":\"lobby\",\"members\":[{\"id\":\"u1\"}],\"offset\":\"q7Kf:0-0\"}");
    }

    @Test
    void encodesMessage() {
        assertEncodes(new ServerFrame.Message("lobby", new Member("u1", "Ann"), codec.parse("{\"text\":\"hi\"}"),
                        1732250000123L, "q7Kf:1732250000123-0"),
                "{\"type\":\"message\",\"room\":\"lobby\",\"from\":{\"id\":\"u1\",\"name\":\"Ann\"},\"data\":{\"text\":\"hi\"},"
                        + "\"ts\":1732250000123,\"offset\":\"q7Kf:1732250000123-0\"}");
    }

    @Test
    void encodesDirect() {
        assertEncodes(new ServerFrame.Direct(new Member("u1", "Ann"), "u2", codec.parse("{\"text\":\"psst\"}"), 1732250000456L),
                "{\"type\":\"direct\",\"from\":{\"id\":\"u1\",\"name\":\"Ann\"},\"to\":\"u2\",\"data\":{\"text\":\"psst\"},\"ts\":1732250000456}");
    }

    @Test
    void encodesPresenceEvents() {
        assertEncodes(new ServerFrame.PresenceEvent("lobby", "join", new Member("u2", "Bob"), 1732250000789L),
                "{\"type\":\"presence\",\"room\":\"lobby\",\"event\":\"join\",\"user\":{\"id\":\"u2\",\"name\":\"Bob\"},\"ts\":1732250000789}");
        assertEncodes(new ServerFrame.PresenceEvent("lobby", "leave", new Member("u2", "Bob"), 1732250009999L),
                "{\"type\":\"presence\",\"room\":\"lobby\",\"event\":\"leave\",\"user\":{\"id\":\"u2\",\"name\":\"Bob\"},\"ts\":1732250009999}");
    }

    @Test
    void encodesAck() {
        assertEncodes(new ServerFrame.Ack(TextNode.valueOf("3"), "q7Kf:1732250000123-0", null),
                "{\"type\":\"ack\",\"id\":\"3\",\"offset\":\"q7Kf:1732250000123-0\"}");
        assertEncodes(new ServerFrame.Ack(IntNode.valueOf(4), null, 2), "{\"type\":\"ack\",\"id\":4,\"delivered\":2}");
    }

    @Test
    void encodesError() {
        assertEncodes(new ServerFrame.Error(TextNode.valueOf("3"), ErrorCode.NOT_MEMBER, "join room 'lobby' before publishing"),
                "{\"type\":\"error\",\"id\":\"3\",\"code\":\"not_member\",\"message\":\"join room 'lobby' before publishing\"}");
        assertEncodes(new ServerFrame.Error(null, ErrorCode.BAD_REQUEST, "x"),
                "{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"x\"}");
    }

    @Test
    void encodesTheOtherReplies() {
        assertEncodes(new ServerFrame.Left(TextNode.valueOf("1"), "lobby"), "{\"type\":\"left\",\"id\":\"1\",\"room\":\"lobby\"}");
        assertEncodes(new ServerFrame.PresenceReply(TextNode.valueOf("5"), "lobby", List.of(new Member("u1", "Ann"))),
                "{\"type\":\"presence\",\"id\":\"5\",\"room\":\"lobby\",\"members\":[{\"id\":\"u1\",\"name\":\"Ann\"}]}");
        assertEncodes(new ServerFrame.Refreshed(TextNode.valueOf("6"), 1732253600L),
                "{\"type\":\"refreshed\",\"id\":\"6\",\"exp\":1732253600}");
        assertEncodes(new ServerFrame.Pong(null), "{\"type\":\"pong\"}");
    }

    @Test
    void encodesHistoryWithRawMessages() {
        String m1 = codec.encode(new ServerFrame.Message("lobby", Member.SERVER, IntNode.valueOf(1), 5L, "e:5-0"));
        assertEncodes(new ServerFrame.HistoryReply(TextNode.valueOf("7"), "lobby", List.of(new RawValue(m1))),
                "{\"type\":\"history\",\"id\":\"7\",\"room\":\"lobby\",\"messages\":[" + m1 + "]}");
        assertEncodes(new ServerFrame.HistoryReply(null, "lobby", List.of()), "{\"type\":\"history\",\"room\":\"lobby\",\"messages\":[]}");
    }

    @Test
    void encodesTheServerSenderWithoutName() {
        String json = codec.encode(new ServerFrame.Message("r", Member.SERVER, NullNode.getInstance(), 1L, "e:1-0"));

        assertThat(codec.parse(json).get("from")).isEqualTo(codec.parse("{\"id\":\"$server\"}"));
        assertThat(codec.parse(json).get("data").isNull()).isTrue();
    }

    @Test
    void encodesToBytesAsUtf8() {
        ServerFrame f = new ServerFrame.Error(null, ErrorCode.INTERNAL, "é 张 😀");

        assertThat(new String(codec.encodeToBytes(f), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(codec.encode(f));
    }

    // ---- messagePrefix + completeMessage ----

    @Test
    void aCompletedPrefixIsTheMessageEncoding() {
        for (String data : new String[] {"{\"text\":\"hi\"}", "null", "\"quote \\\" and \\\\ and \\u0000\"", "[1,2.5,true]",
                "\"é 张 😀 \\u2028\"", "{\"}\":\"\\\"}\"}", "12345678901234567890123"}) {
            for (Member from : List.of(new Member("u1", "Ann \"A\""), Member.SERVER)) {
                JsonNode node = codec.parse(data);
                String complete = FrameCodec.completeMessage(codec.messagePrefix("lobby", from, node, 1732250000123L),
                        "q7Kf:1732250000123-0");

                ServerFrame.Message expected = new ServerFrame.Message("lobby", from, node, 1732250000123L,
                        "q7Kf:1732250000123-0");
                assertThat(codec.parse(complete)).isEqualTo(codec.parse(codec.encode(expected)));
                assertThat(complete).isEqualTo(codec.encode(expected));
            }
        }
    }

    @Test
    void aPrefixEndsWithTheOpenOffsetString() {
        assertThat(codec.messagePrefix("r", new Member("u1", null), IntNode.valueOf(1), 9L))
                .isEqualTo("{\"type\":\"message\",\"room\":\"r\",\"from\":{\"id\":\"u1\"},\"data\":1,\"ts\":9,\"offset\":\"");
    }

    /**
     * Every publish makes a prefix: its generator must give Jackson's output buffer (4 KB) back to the
     * recycler, or each call leaves it behind as garbage (9.5 KB a call with a 100-byte payload, against
     * 1.5 KB). Counted in bytes allocated by this thread, not in time.
     */
    @Test
    void aPrefixDoesNotLeaveJacksonsOutputBufferBehind() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        int calls = 2_000;
        Member from = new Member("u1", "Ann");
        JsonNode data = codec.parse("{\"text\":\"" + "x".repeat(90) + "\"}");
        for (int i = 0; i < calls; i++) { // past the recycler's first allocation and the interpreter
            codec.messagePrefix("lobby", from, data, i);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
            codec.messagePrefix("lobby", from, data, i);
        }
        long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / calls;
        assertThat(perCall).as("bytes allocated per messagePrefix").isLessThan(4_000);
    }

    private void assertEncodes(ServerFrame frame, String protocolJson) {
        String json = codec.encode(frame);

        assertThat(json).startsWith("{\"type\":\"" + frame.type() + "\"");
        assertThat(codec.parse(json)).isEqualTo(codec.parse(protocolJson));
        assertThat(json).doesNotContain("null");
        assertThat(codec.parse(json).fieldNames().next()).isEqualTo("type");
    }
}
