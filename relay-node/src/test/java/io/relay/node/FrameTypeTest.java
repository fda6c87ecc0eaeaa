package io.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** relay_frames_out_total's label: the type a server frame names first, read from its bytes. */
class FrameTypeTest {
    @Test
    void readsTheTypeAServerFrameStartsWith() {
        assertThat(Metrics.typeOf(frame("{\"type\":\"message\",\"room\":\"a\"}"))).isEqualTo("message");
        assertThat(Metrics.typeOf(frame("{\"type\":\"ack\",\"id\":1}"))).isEqualTo("ack");
    }

    @Test
    void anythingElseIsOther() {
        assertThat(Metrics.typeOf(frame("{\"room\":\"a\",\"type\":\"message\"}"))).isEqualTo("other");
        assertThat(Metrics.typeOf(frame("{\"type\":\"\"}"))).isEqualTo("other");
        assertThat(Metrics.typeOf(frame("{\"type\":\"Not-A-Type\"}"))).isEqualTo("other");
        assertThat(Metrics.typeOf(frame("{\"type\":\"" + "x".repeat(40) + "\"}"))).isEqualTo("other");
        assertThat(Metrics.typeOf(frame("{\"type\":\"cut"))).isEqualTo("other");
        assertThat(Metrics.typeOf(frame(""))).isEqualTo("other");
    }

    @Test
    void leavesTheBufferAsItWas() {
        ByteBuffer view = frame("xx{\"type\":\"pong\"}");
        view.position(2);
        assertThat(Metrics.typeOf(view)).isEqualTo("pong");
        assertThat(view.position()).isEqualTo(2);
    }

    private static ByteBuffer frame(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }
}
