package io.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.session.Sessions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How often the node looks at its sessions: seldom enough that an idle node does not wake every
 * second, often enough for PROTOCOL.md's 4001 within 5 s after expiry plus leeway, and in step with
 * the heartbeat so that pings still go out every interval (HeartbeatIT checks them on the wire).
 */
class HeartbeatsTest {
    @Test
    void theDefaultHeartbeatIsLookedAtSevenTimesPerInterval() {
        Duration period = periodFor(Duration.ofSeconds(25));
        assertThat(period).isEqualTo(Duration.ofSeconds(25).dividedBy(7));
    }

    @Test
    void aLongHeartbeatStillLeavesAtMostFourSecondsBetweenLooks() {
        assertThat(periodFor(Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(4));
        assertThat(periodFor(Duration.ofSeconds(9))).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aShortHeartbeatIsLookedAtOncePerInterval() {
        assertThat(periodFor(Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(4));
        assertThat(periodFor(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(periodFor(Duration.ofMillis(300))).isEqualTo(Duration.ofMillis(300));
    }

    private static Duration periodFor(Duration heartbeat) {
        return new Heartbeats(new Sessions(1), heartbeat).period();
    }
}
