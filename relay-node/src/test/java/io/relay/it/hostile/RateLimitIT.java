package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.HostileBystander.Rtt;
import io.relay.testing.HostileSocket;
import io.relay.testing.HostileSocket.Close;
import io.relay.testing.HostileSocket.Written;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, rate limit: a token bucket per connection ({@code RELAY_RATE} 50/s, {@code RELAY_BURST}
 * 100) answers frames over the rate with {@code rate_limited} (no id) and closes with 4029 after
 * more than 100 of those within 10 s. A flood of 10,000 frames from one client is cut off while a
 * well-behaved client on the same node keeps its latency.
 */
class RateLimitIT {
    private static final int RATE = 50;
    private static final int BURST = 100;
    private static final int FLOOD = 10_000;
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(200);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1, b -> b.rate(RATE).burst(BURST));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void tenThousandFramesInABurstAreRateLimitedThenClosedWith4029() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            bystander.awaitSamples(10);
            int before = bystander.mark();
            String user = Cluster.unique("flooder");
            try (HostileSocket flooder = HostileSocket.to(cluster.wsBase(0)).label(user)
                    .token(cluster.token(user, "Flooder")).open()) {
                flooder.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome");
                byte[] flood = flood();
                long start = System.nanoTime();
                Written written = flooder.sendRaw(flood, Duration.ofSeconds(20));
                Close close = flooder.awaitClose(Duration.ofSeconds(10));
                double seconds = (close.atNanos() - start) / 1e9;
                bystander.awaitSamples(before + 5);
                int during = bystander.mark();

                List<JsonNode> got = flooder.received();
                long pongs = got.stream().filter(Frames.type("pong")).count();
                List<JsonNode> errors = got.stream().filter(Frames.type("error")).toList();
                System.out.printf("RateLimitIT: closed %s after %.0f ms; %d pongs, %d errors; %d of %d bytes "
                        + "written (%s); bystander pings before %s, during and after %s%n", close.code(),
                        seconds * 1000, pongs, errors.size(), written.bytes(), flood.length,
                        written.completed() ? "all" : written.failure(), bystander.rtt(0, before),
                        bystander.rtt(before, during));

                assertThat(close.code()).as("close of a flooding client: %s", close).isEqualTo(4029);
                assertThat(errors).as("errors before the close").isNotEmpty();
                for (JsonNode e : errors) {
                    assertThat(e.path("code").asText()).as("error %s", e).isEqualTo("rate_limited");
                    assertThat(e.has("id")).as("a rate_limited error carries no id: %s", e).isFalse();
                }
                assertThat(errors.size()).as("rate_limited errors before the close (the 101st closes)")
                        .isLessThanOrEqualTo(100);
                assertThat(pongs).as("pongs for the flood (burst %d, %d/s for %.2f s)", BURST, RATE, seconds)
                        .isBetween(1L, (long) (BURST + RATE * seconds) + 5);
            }
            Rtt duringAbuse = bystander.rtt(before, bystander.mark());
            System.out.println("RateLimitIT: bystanders " + bystander.finish(before, BYSTANDER_P99)
                    + "; during the flood " + duringAbuse);
        }
    }

    /** 10,000 masked {@code ping} frames, back to back, for one write. */
    private static byte[] flood() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(FLOOD * 40);
        for (int i = 0; i < FLOOD; i++) {
            out.writeBytes(HostileSocket.textFrame("{\"type\":\"ping\",\"id\":\"f" + i + "\"}"));
        }
        return out.toByteArray();
    }
}
