package io.relay.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTest {
    private final Keys keys = new Keys("relay");

    @Test
    void roomKeysShareTheRoomHashTag() {
        assertThat(keys.roomChannel("lobby")).isEqualTo("relay:{lobby}:msgs");
        assertThat(keys.presence("lobby")).isEqualTo("relay:{lobby}:presence");
        assertThat(keys.roster("lobby")).isEqualTo("relay:{lobby}:roster");
        assertThat(keys.history("lobby")).isEqualTo("relay:{lobby}:history");
        assertThat(keys.meta("lobby")).isEqualTo("relay:{lobby}:meta");
        assertThat(keys.dedup("lobby", "k1")).isEqualTo("relay:{lobby}:dedup:k1");
        assertThat(keys.userChannel("u1")).isEqualTo("relay:user:{u1}");
    }

    @Test
    void channelsMapBackToTheirRoomOrUser() {
        assertThat(keys.roomOfChannel("relay:{a.b:c@d-e}:msgs")).isEqualTo("a.b:c@d-e");
        assertThat(keys.userOfChannel("relay:user:{u1}")).isEqualTo("u1");
        assertThat(keys.roomOfChannel("relay:user:{u1}")).isNull();
        assertThat(keys.userOfChannel("relay:{lobby}:msgs")).isNull();
        assertThat(new Keys("other").roomOfChannel("relay:{lobby}:msgs")).isNull();
    }
}
