package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.model.ClientFrame;
import io.relay.model.FrameCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PublishFrameTest {
    private final FrameCodec codec = new FrameCodec();

    @ParameterizedTest
    @ValueSource(ints = {60, 100, 1000, 16384})
    void padsTheDataObjectToExactlyThePayloadSize(int payload) {
        String frame = PublishFrame.of("bench-a1-7", 12, 345_678, 9_876_543_210_123L, payload);
        ClientFrame.Publish p = (ClientFrame.Publish) codec.decode(frame);
        assertThat(p.data().toString().getBytes(StandardCharsets.UTF_8)).hasSize(payload);
    }

    @Test
    void carriesIntendedTimePublisherAndSequenceAndTheSequenceAsId() {
        String frame = PublishFrame.of("bench-a1-7", 12, 345_678, -42, 100);
        ClientFrame.Publish p = (ClientFrame.Publish) codec.decode(frame);
        JsonNode data = p.data();
        assertThat(p.room()).isEqualTo("bench-a1-7");
        assertThat(p.id().asLong()).isEqualTo(345_678);
        assertThat(data.get("t").asLong()).isEqualTo(-42);
        assertThat(data.get("p").asInt()).isEqualTo(12);
        assertThat(data.get("s").asLong()).isEqualTo(345_678);
        assertThat(data.get("x").asText()).matches("x*");
    }

    @Test
    void aPayloadSmallerThanTheFieldsLeavesThePaddingEmpty() {
        String frame = PublishFrame.of("r", 1, 2, 3, 10);
        ClientFrame.Publish p = (ClientFrame.Publish) codec.decode(frame);
        assertThat(p.data().get("x").asText()).isEmpty();
    }

    @Test
    void joinFrameAsksForTheRoomWithAnId() {
        ClientFrame.Join j = (ClientFrame.Join) codec.decode(PublishFrame.join("bench-a1-3"));
        assertThat(j.room()).isEqualTo("bench-a1-3");
        assertThat(j.id().asText()).isEqualTo("j");
    }
}
