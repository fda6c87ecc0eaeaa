package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Cluster;
import io.relay.testing.HostileSocket;
import io.relay.testing.Http;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** After a scripted scenario, the scraped {@code /metrics} counters say what happened. */
class MetricsIT {
    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        // room for the publisher's 303 frames in one burst; the abuser still goes far past it
        cluster = Cluster.start(1, config -> config.rate(400).burst(400));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void countersFollowAConnectJoinPublishSlowConsumerAndRateLimitScenario() {
        String room = Cluster.unique("metered");
        TestClient member = cluster.connect(0, "member-" + room, "Member");
        member.join(room);
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        for (int i = 0; i < 3; i++) {
            publisher.publish(room, Json.obj("n", i));
        }

        HostileSocket slow = HostileSocket.to(cluster.wsBase(0)).path("/ws/" + room).label("slow")
                .token(cluster.token("slow-" + room, "Slow")).receiveBuffer(4096).noReading().open();
        String pad = "x".repeat(60_000); // well past what the kernel's socket buffers absorb
        for (int i = 0; i < 300; i++) {
            publisher.publish(room, Json.obj("pad", pad));
        }
        Poll.until(Duration.ofSeconds(15), () -> counter("relay_closes_total", "reason", "slow_consumer") >= 1,
                "the slow consumer's close to be counted");

        TestClient abuser = cluster.connect(0, "abuser-" + room, "Abuser");
        for (int i = 0; i < 1000; i++) {
            abuser.trySend("{\"type\":\"ping\"}");
        }
        assertThat(abuser.closeCode(Duration.ofSeconds(10))).isEqualTo(4029);
        Poll.until(Duration.ofSeconds(10), () -> counter("relay_closes_total", "reason", "rate_limited") >= 1,
                "the rate-limit close to be counted");

        assertThat(counter("relay_frames_in_total", "type", "publish")).isEqualTo(303);
        assertThat(counter("relay_frames_in_total", "type", "join")).isEqualTo(2);
        assertThat(counter("relay_frames_in_total", "type", "ping")).isBetween(400.0, 600.0); // burst plus refill
        assertThat(counter("relay_closes_total", "reason", "slow_consumer")).isEqualTo(1);
        assertThat(counter("relay_closes_total", "reason", "rate_limited")).isEqualTo(1);
        assertThat(gauge("relay_connections")).isEqualTo(2);
        assertThat(gauge("relay_rooms")).isEqualTo(1);
        slow.close();
    }

    private static double counter(String name, String label, String value) {
        return sample(name + "\\{[^}]*" + label + "=\"" + Pattern.quote(value) + "\"[^}]*\\}");
    }

    private static double gauge(String name) {
        return sample(name + "(?:\\{[^}]*\\})?");
    }

    private static double sample(String series) {
        String text = Http.get(cluster.http(0, "/metrics")).body();
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
