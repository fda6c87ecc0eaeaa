package io.relay.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every malformed client frame is a {@link FrameException} with the exact code PROTOCOL.md names. */
class FrameCodecMalformedTest {
    private final FrameCodec codec = new FrameCodec();

    @ParameterizedTest
    @ValueSource(strings = {"not json", "", " ", "[]", "[{\"type\":\"ping\"}]", "1", "null", "true", "\"ping\"",
            "{\"type\":\"ping\"}xyz", "{\"type\":\"ping\"} {\"type\":\"ping\"}", "{\"type\":\"ping\"", "{type:\"ping\"}",
            "{'type':'ping'}", "{\"type\":\"ping\",}", "{\"type\":\"ping\"}/*c*/", "{\"type\":\"ping\",\"id\":NaN}",
            "{\"type\":\"ping\",\"id\":01}", "\uFEFF{\"type\":\"ping\"}"})
    void refusesTextThatIsNotOneJsonObject(String text) {
        assertCode(text, ErrorCode.BAD_REQUEST);
    }

    @Test
    void refusesDuplicateKeys() {
        assertCode("{\"type\":\"ping\",\"type\":\"join\"}", ErrorCode.BAD_REQUEST);
        assertCode("{\"type\":\"publish\",\"room\":\"a\",\"room\":\"b\",\"data\":1}", ErrorCode.BAD_REQUEST);
        assertCode("{\"type\":\"publish\",\"room\":\"a\",\"data\":{\"x\":1,\"x\":2}}", ErrorCode.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"id\":\"1\"}", "{\"type\":1}", "{\"type\":null}", "{\"type\":[\"ping\"]}",
            "{\"type\":{\"name\":\"ping\"}}", "{\"type\":true}"})
    void refusesAMissingOrNonStringType(String text) {
        assertCode(text, ErrorCode.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "true", "false", "[]", "[1]"})
    void refusesAnIdThatIsNotAStringOrNumber(String id) {
        assertCode("{\"type\":\"ping\",\"id\":" + id + "}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void refusesAnUnknownTypeEchoingTheId() {
        FrameException e = refused("{\"type\":\"subscribe\",\"id\":\"9\"}");

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.id()).isEqualTo(TextNode.valueOf("9"));
        assertThat(refused("{\"type\":\"PING\",\"id\":9}").id()).isEqualTo(IntNode.valueOf(9));
        assertThat(refused("{\"type\":\"\"}").code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
    }

    @Test
    void doesNotEchoControlCharactersOfAnUnknownType() {
        FrameException e = refused("{\"type\":\"x\\u0000\\n" + "y".repeat(100) + "\"}");

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.getMessage()).doesNotContain("\u0000").doesNotContain("\n").hasSizeLessThan(100);
    }

    @ParameterizedTest
    @ValueSource(strings = {"join", "leave", "presence", "history"})
    void refusesAMissingOrNonStringRoom(String type) {
        assertCodeAndId("{\"type\":\"" + type + "\",\"id\":\"1\"}", ErrorCode.BAD_REQUEST);
        assertCodeAndId("{\"type\":\"" + type + "\",\"id\":\"1\",\"room\":5}", ErrorCode.BAD_REQUEST);
        assertCodeAndId("{\"type\":\"" + type + "\",\"id\":\"1\",\"room\":null}", ErrorCode.BAD_REQUEST);
        assertCodeAndId("{\"type\":\"" + type + "\",\"id\":\"1\",\"room\":[\"lobby\"]}", ErrorCode.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "x*", "*", "{tag}", "a{b}c", "a?", "[a-z]", "NUL\\u0000", "é", "a/b", "a\\\\b",
            "tab\\t", "a,b", "a#b", "a$b", "\\u00a0", "\\uff41"})
    void refusesInvalidRoomNames(String room) {
        for (String type : new String[] {"join", "leave", "presence", "history"}) {
            assertCodeAndId("{\"type\":\"" + type + "\",\"id\":\"1\",\"room\":\"" + room + "\"}", ErrorCode.INVALID_ROOM);
        }
        assertCodeAndId("{\"type\":\"publish\",\"id\":\"1\",\"room\":\"" + room + "\",\"data\":1}", ErrorCode.INVALID_ROOM);
    }

    @Test
    void refusesARoomOf129Characters() {
        assertCodeAndId("{\"type\":\"join\",\"id\":\"1\",\"room\":\"" + "r".repeat(129) + "\"}", ErrorCode.INVALID_ROOM);
        assertThat(codec.decode("{\"type\":\"join\",\"room\":\"" + "r".repeat(128) + "\"}")).isNotNull();
    }

    @Test
    void refusesAPublishWithoutData() {
        assertCodeAndId("{\"type\":\"publish\",\"id\":\"1\",\"room\":\"r\"}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void refusesABadKey() {
        String frame = "{\"type\":\"publish\",\"id\":\"1\",\"room\":\"r\",\"data\":1,\"key\":";
        assertCodeAndId(frame + "\"" + "k".repeat(65) + "\"}", ErrorCode.BAD_REQUEST);
        assertCodeAndId(frame + "\"\"}", ErrorCode.BAD_REQUEST);
        assertCodeAndId(frame + "7}", ErrorCode.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a b\"", "\"\"", "\"$server\"", "\"x*\"", "1", "null", "[\"u2\"]"})
    void refusesADirectToAnInvalidUser(String to) {
        assertCodeAndId("{\"type\":\"direct\",\"id\":\"1\",\"to\":" + to + ",\"data\":1}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void refusesADirectWithoutToOrData() {
        assertCodeAndId("{\"type\":\"direct\",\"id\":\"1\",\"data\":1}", ErrorCode.BAD_REQUEST);
        assertCodeAndId("{\"type\":\"direct\",\"id\":\"1\",\"to\":\"u2\"}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void refusesARefreshWithoutAStringToken() {
        assertCodeAndId("{\"type\":\"refresh\",\"id\":\"1\"}", ErrorCode.BAD_REQUEST);
        assertCodeAndId("{\"type\":\"refresh\",\"id\":\"1\",\"token\":1}", ErrorCode.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1.5", "1e2", "\"10\"", "true", "-99999999999999999999999"})
    void refusesAHistoryLimitThatIsNotAPositiveInteger(String limit) {
        assertCodeAndId("{\"type\":\"history\",\"id\":\"1\",\"room\":\"r\",\"limit\":" + limit + "}", ErrorCode.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"join", "history"})
    void refusesABadSince(String type) {
        String frame = "{\"type\":\"" + type + "\",\"id\":\"1\",\"room\":\"r\",\"since\":";
        assertCodeAndId(frame + "\"\"}", ErrorCode.BAD_REQUEST);
        assertCodeAndId(frame + "5}", ErrorCode.BAD_REQUEST);
        assertCodeAndId(frame + "\"" + "s".repeat(257) + "\"}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void refusesNestingDeeperThan32() {
        // the frame object is level 1, so data may nest 31 more levels
        assertThat(codec.decode(publishWithData("[".repeat(31) + "]".repeat(31)))).isNotNull();
        assertCode(publishWithData("[".repeat(32) + "]".repeat(32)), ErrorCode.BAD_REQUEST);
        assertCode(publishWithData("{\"a\":".repeat(40) + "1" + "}".repeat(40)), ErrorCode.BAD_REQUEST);
        assertCode(publishWithData("[".repeat(100_000) + "]".repeat(100_000)), ErrorCode.BAD_REQUEST);
    }

    @Test
    void refusesStringsLongerThan65536() {
        assertThat(codec.decode(publishWithData("\"" + "x".repeat(FrameCodec.MAX_STRING_LENGTH) + "\""))).isNotNull();
        assertCode(publishWithData("\"" + "x".repeat(FrameCodec.MAX_STRING_LENGTH + 1) + "\""), ErrorCode.BAD_REQUEST);
        assertCode(publishWithData("\"" + "x".repeat(1_000_000) + "\""), ErrorCode.BAD_REQUEST);
    }

    @Test
    void refusesHugeNumbers() {
        assertCode(publishWithData("1".repeat(200)), ErrorCode.BAD_REQUEST);
        assertCode(publishWithData("-" + "1".repeat(200)), ErrorCode.BAD_REQUEST);
        assertCode(publishWithData("0." + "1".repeat(200)), ErrorCode.BAD_REQUEST);
        assertCode(publishWithData("1e" + "9".repeat(200)), ErrorCode.BAD_REQUEST);
        assertCode("{\"type\":\"ping\",\"id\":" + "7".repeat(200) + "}", ErrorCode.BAD_REQUEST);
        assertThat(codec.decode(publishWithData("1".repeat(FrameCodec.MAX_NUMBER_LENGTH)))).isNotNull();
    }

    @Test
    void errorMessagesAreShort() {
        FrameException e = refused("{\"type\":\"ping\"}" + "x".repeat(10_000));

        assertThat(e.getMessage()).hasSizeLessThan(300);
    }

    private static String publishWithData(String data) {
        return "{\"type\":\"publish\",\"room\":\"r\",\"data\":" + data + "}";
    }

    private void assertCode(String text, ErrorCode code) {
        assertThat(refused(text).code()).as(text.length() > 80 ? text.substring(0, 80) : text).isEqualTo(code);
    }

    private void assertCodeAndId(String text, ErrorCode code) {
        FrameException e = refused(text);

        assertThat(e.code()).as(text).isEqualTo(code);
        assertThat(e.id()).as("echoed id of " + text).isEqualTo(TextNode.valueOf("1"));
    }

    private FrameException refused(String text) {
        FrameException e = catchThrowableOfType(FrameException.class, () -> codec.decode(text));
        assertThat(e).as("a FrameException for " + (text.length() > 80 ? text.substring(0, 80) : text)).isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }
}
