package io.relay.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.model.FrameCodec;
import io.relay.model.Member;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OffsetTest {
    private final FrameCodec codec = new FrameCodec();

    @Test
    void parsesWhatItPrints() {
        Offset offset = new Offset("V2ZCrjVl", 42);
        assertThat(offset.toString()).isEqualTo("V2ZCrjVl:42");
        assertThat(Offset.parse("V2ZCrjVl:42")).isEqualTo(offset);
        assertThat(Offset.parse("abc:0")).isEqualTo(new Offset("abc", 0));
    }

    @Test
    void refusesWhatItNeverPrinted() {
        for (String bad : new String[] {null, "", "abc", ":1", "abc:", "abc:-1", "abc:1x", "a b:1", "ä:1",
                "abc:1:2", "abcdefghijklmnopq:1", "abc:1234567890123456789", "1732250000123-0"}) {
            assertThat(Offset.parse(bad)).as(String.valueOf(bad)).isNull();
        }
    }

    @Test
    void readsTheSequenceFromTheTailOfAMessageFrame() {
        String prefix = codec.messagePrefix("lobby", new Member("u1", "Ann"),
                JsonNodeFactory.instance.objectNode().put("text", "\"offset\":\"x:9\"}"), 1L);
        byte[] frame = FrameCodec.completeMessage(prefix, "Ep0ch:1234").getBytes(StandardCharsets.UTF_8);
        assertThat(Offset.seqOfFrame(frame)).isEqualTo(1234);
    }

    @Test
    void otherFramesHaveNoSequence() {
        assertThat(seq("{\"type\":\"presence\",\"room\":\"r\",\"event\":\"join\",\"ts\":1}")).isEqualTo(-1);
        assertThat(seq("{\"type\":\"direct\",\"data\":\"a:1\"}")).isEqualTo(-1);
        assertThat(seq("{\"x\":\":1\"}")).isEqualTo(-1);
        assertThat(seq("\"}")).isEqualTo(-1);
        assertThat(seq("")).isEqualTo(-1);
    }

    private static long seq(String frame) {
        return Offset.seqOfFrame(frame.getBytes(StandardCharsets.UTF_8));
    }
}
