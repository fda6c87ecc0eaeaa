package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.model.ClientFrame;
import io.relay.model.FrameCodec;
import io.relay.model.Member;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameScannerTest {
    private final FrameCodec codec = new FrameCodec();

    @Test
    void readsABenchMessageAsTheNodeEncodesIt() {
        ClientFrame.Publish p = (ClientFrame.Publish) codec.decode(PublishFrame.of("bench-x-1", 7, 1234, 5_555_555_555L, 200));
        String message = FrameCodec.completeMessage(
                codec.messagePrefix("bench-x-1", new Member("bench-9", null), p.data(), 1_795_320_218_948L), "V2ZCrjVl:18");
        byte[] b = bytes(message);
        long[] out = new long[3];
        assertThat(FrameScanner.type(b, b.length)).isEqualTo(FrameScanner.Type.MESSAGE);
        assertThat(FrameScanner.benchMessage(b, b.length, out)).isTrue();
        assertThat(out).containsExactly(5_555_555_555L, 7, 1234);
    }

    @Test
    void aNegativeIntendedTimeIsReadToo() {
        byte[] b = bytes("{\"type\":\"message\",\"room\":\"r\",\"from\":{\"id\":\"u\"},\"data\":{\"t\":-17,\"p\":0,\"s\":3,\"x\":\"\"},\"ts\":1,\"offset\":\"e:1\"}");
        long[] out = new long[3];
        assertThat(FrameScanner.benchMessage(b, b.length, out)).isTrue();
        assertThat(out).containsExactly(-17, 0, 3);
    }

    @Test
    void otherMessagesAreNotBenchMessages() {
        byte[] b = bytes("{\"type\":\"message\",\"room\":\"r\",\"from\":{\"id\":\"u\"},\"data\":{\"text\":\"hi\"},\"ts\":1,\"offset\":\"e:1\"}");
        assertThat(FrameScanner.benchMessage(b, b.length, new long[3])).isFalse();
        byte[] n = bytes("{\"type\":\"message\",\"room\":\"r\",\"data\":null,\"ts\":1}");
        assertThat(FrameScanner.benchMessage(n, n.length, new long[3])).isFalse();
    }

    @Test
    void tellsTheFrameTypes() {
        assertThat(type("{\"type\":\"ack\",\"id\":17,\"offset\":\"e:1\"}")).isEqualTo(FrameScanner.Type.ACK);
        assertThat(type("{\"type\":\"joined\",\"id\":\"j\",\"room\":\"r\",\"members\":[],\"offset\":\"e:0\"}")).isEqualTo(FrameScanner.Type.JOINED);
        assertThat(type("{\"type\":\"welcome\",\"session\":\"s-1\"}")).isEqualTo(FrameScanner.Type.WELCOME);
        assertThat(type("{\"type\":\"presence\",\"room\":\"r\",\"event\":\"join\"}")).isEqualTo(FrameScanner.Type.PRESENCE);
        assertThat(type("{\"type\":\"error\",\"code\":\"not_member\"}")).isEqualTo(FrameScanner.Type.ERROR);
        assertThat(type("{\"type\":\"acknowledged\"}")).isEqualTo(FrameScanner.Type.OTHER);
        assertThat(type("not json")).isEqualTo(FrameScanner.Type.OTHER);
    }

    @Test
    void readsNumericIdsOnly() {
        byte[] ack = bytes("{\"type\":\"ack\",\"id\":123456789012,\"offset\":\"e:1\"}");
        byte[] named = bytes("{\"type\":\"ack\",\"id\":\"j\"}");
        byte[] none = bytes("{\"type\":\"error\",\"code\":\"bad_request\"}");
        assertThat(FrameScanner.numericId(ack, ack.length)).isEqualTo(123_456_789_012L);
        assertThat(FrameScanner.numericId(named, named.length)).isEqualTo(-1);
        assertThat(FrameScanner.numericId(none, none.length)).isEqualTo(-1);
    }

    @Test
    void looksOnlyAtTheGivenLength() {
        byte[] b = bytes("{\"type\":\"ack\",\"id\":12345}");
        assertThat(FrameScanner.numericId(b, b.length - 3)).isEqualTo(123);
    }

    private static FrameScanner.Type type(String s) {
        byte[] b = bytes(s);
        return FrameScanner.type(b, b.length);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
