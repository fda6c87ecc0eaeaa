package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.it.ops.Scrape;
import io.relay.testing.Cluster;
import io.relay.testing.HostileSocket;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * After a scripted scenario (two members, 303 publishes, a slow consumer, a rate-limit abuser, then
 * everyone leaving), the scraped {@code /metrics} say what happened: frames in and out by type, the
 * publish-to-ack histogram, connections, rooms, subscribed channels, closes by reason, no Redis
 * failures, and the JVM basics.
 */
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
        Scrape before = scrape();
        assertThat(before.value("relay_connections")).isZero();
        assertThat(before.value("relay_subscribed_channels")).as("the node's own probe channel").isEqualTo(1);

        TestClient member = cluster.connect(0, "member-" + room, "Member");
        member.join(room);
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        for (int i = 0; i < 3; i++) {
            publisher.publish(room, Json.obj("n", i));
        }
        Scrape joined = scrape();
        assertThat(joined.value("relay_rooms")).isEqualTo(1);
        assertThat(joined.value("relay_subscribed_channels")).as("probe, room, two users").isEqualTo(4);
        assertThat(joined.value("relay_publish_ack_seconds_count")).isEqualTo(3);

        HostileSocket slow = HostileSocket.to(cluster.wsBase(0)).path("/ws/" + room).label("slow")
                .token(cluster.token("slow-" + room, "Slow")).receiveBuffer(4096).noReading().open();
        String pad = "x".repeat(60_000); // well past what the kernel's socket buffers absorb
        for (int i = 0; i < 300; i++) {
            publisher.publish(room, Json.obj("pad", pad));
        }
        Poll.until(Duration.ofSeconds(15), () -> scrape().value("relay_closes_total", "reason", "slow_consumer") >= 1,
                "the slow consumer's close to be counted");

        TestClient abuser = cluster.connect(0, "abuser-" + room, "Abuser");
        for (int i = 0; i < 1000; i++) {
            abuser.trySend("{\"type\":\"ping\"}");
        }
        assertThat(abuser.closeCode(Duration.ofSeconds(10))).isEqualTo(4029);
        Poll.until(Duration.ofSeconds(10), () -> scrape().value("relay_closes_total", "reason", "rate_limited") >= 1,
                "the rate-limit close to be counted");
        // the slow consumer's leave reaches the two members
        Poll.until(Duration.ofSeconds(10), () -> scrape().value("relay_frames_out_total", "type", "presence") >= 8,
                "the slow consumer's leave event to be queued for both members");

        Scrape after = scrape();
        assertThat(after.value("relay_frames_in_total", "type", "publish")).isEqualTo(303);
        assertThat(after.value("relay_frames_in_total", "type", "join")).isEqualTo(2);
        double pings = after.value("relay_frames_in_total", "type", "ping");
        assertThat(pings).isBetween(400.0, 600.0); // burst plus refill

        // frames out, once per recipient
        assertThat(after.value("relay_frames_out_total", "type", "welcome")).as("member, publisher, slow, abuser").isEqualTo(4);
        assertThat(after.value("relay_frames_out_total", "type", "joined")).as("member, publisher, slow").isEqualTo(3);
        assertThat(after.value("relay_frames_out_total", "type", "ack")).isEqualTo(303);
        assertThat(after.value("relay_frames_out_total", "type", "message"))
                .as("303 to each member, and what the slow consumer was given before it was closed")
                .isBetween(606.0, 906.0);
        assertThat(after.value("relay_frames_out_total", "type", "presence"))
                .as("joins: member 1, publisher 2, slow 3; the slow consumer's leave 2").isEqualTo(8);
        assertThat(after.value("relay_frames_out_total", "type", "pong"))
                .as("one per ping admitted before the close (pings read after it are counted in, answered by none)")
                .isBetween(400.0, pings);
        assertThat(after.value("relay_frames_out_total", "type", "error")).as("rate_limited replies").isPositive();

        // publish-to-ack latency: one observation per ack, in a Prometheus histogram
        assertThat(after.value("relay_publish_ack_seconds_count")).isEqualTo(303);
        assertThat(after.value("relay_publish_ack_seconds_bucket", "le", "+Inf")).isEqualTo(303);
        assertThat(after.value("relay_publish_ack_seconds_bucket", "le", "5.0")).isEqualTo(303);
        assertThat(after.value("relay_publish_ack_seconds_sum")).isPositive();

        assertThat(after.value("relay_closes_total", "reason", "slow_consumer")).isEqualTo(1);
        assertThat(after.value("relay_closes_total", "reason", "rate_limited")).isEqualTo(1);
        assertThat(after.value("relay_connections")).isEqualTo(2);
        assertThat(after.value("relay_rooms")).isEqualTo(1);
        assertThat(after.value("relay_subscribed_channels")).as("probe, room, two users").isEqualTo(4);
        assertThat(after.value("relay_redis_errors_total")).isZero();
        assertThat(after.value("relay_redis_timeouts_total")).isZero();
        assertThat(after.value("relay_pubsub_reconnects_total")).isZero();
        assertThat(after.value("relay_node_sweeps_total")).isZero();
        assertThat(after.value("relay_lane_rejected_total")).isZero();
        for (String jvm : new String[] {"jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
            "process_cpu_usage", "process_uptime_seconds", "system_cpu_count"}) {
            assertThat(after.has(jvm)).as("JVM basics: %s", jvm).isTrue();
        }
        slow.close();

        member.close();
        publisher.close();
        Poll.until(Duration.ofSeconds(10), () -> scrape().value("relay_closes_total", "reason", "client") >= 2,
                "the members' own closes to be counted");
        // the room channel goes after RELAY_UNSUBSCRIBE_DELAY (1 s here)
        Poll.until(Duration.ofSeconds(10), () -> scrape().value("relay_subscribed_channels") == 1,
                "only the probe channel to stay subscribed");
        Scrape empty = scrape();
        assertThat(empty.value("relay_closes_total", "reason", "client")).isEqualTo(2);
        assertThat(empty.value("relay_connections")).isZero();
        assertThat(empty.value("relay_rooms")).isZero();
    }

    private static Scrape scrape() {
        return Scrape.of(cluster.http(0, "/metrics"));
    }
}
