package io.relay.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.KillArgs;
import io.relay.testing.Cluster;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis side of {@code /metrics}: a killed pub/sub connection counts one reconnect, a paused
 * Redis counts command timeouts, a Redis out of memory counts command errors, and a node that
 * stopped without leaving is counted as swept by the survivor.
 */
class RedisMetricsIT {
    private static final Duration REDIS_TIMEOUT = Duration.ofMillis(500);
    private Cluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            signalRedis("CONT"); // never leave a paused Redis behind a failed assertion
            cluster.close();
        }
    }

    @Test
    void reconnectsTimeoutsErrorsAndSweepsAreCounted() {
        cluster = Cluster.start(2, config -> config.redisTimeout(REDIS_TIMEOUT).nodeTtl(Duration.ofSeconds(4)));
        String room = Cluster.unique("redis-metered");
        TestClient client = cluster.connect(0, Cluster.unique("watcher"), "Watcher");
        client.join(room);
        Scrape start = scrape();
        for (String name : new String[] {"relay_redis_errors_total", "relay_redis_timeouts_total",
            "relay_pubsub_reconnects_total", "relay_node_sweeps_total"}) {
            assertThat(start.has(name)).as("%s is exported from the start", name).isTrue();
            assertThat(start.value(name)).as(name).isZero();
        }

        long killed = cluster.redis().commands().clientKill(KillArgs.Builder.typePubsub());
        assertThat(killed).as("one pub/sub connection per node").isEqualTo(2);
        Poll.until(Duration.ofSeconds(10), () -> scrape().value("relay_pubsub_reconnects_total") == 1,
                "the pub/sub reconnect to be counted");
        Poll.until(Duration.ofSeconds(10), () -> cluster.node(0).ready(), "node-a to be ready again");

        signalRedis("STOP");
        JsonNode timedOut;
        try {
            timedOut = publish(client, room, "paused");
        } finally {
            signalRedis("CONT");
        }
        assertThat(timedOut.path("code").asText()).as("publish while Redis is paused: %s", timedOut).isEqualTo("unavailable");
        Poll.until(Duration.ofSeconds(5), () -> scrape().value("relay_redis_timeouts_total") >= 1,
                "the timed-out publish to be counted");

        cluster.redis().commands().configSet("maxmemory", "1"); // every write is refused with OOM
        JsonNode refused;
        try {
            refused = publish(client, room, "full");
        } finally {
            cluster.redis().commands().configSet("maxmemory", "0");
        }
        assertThat(refused.path("code").asText()).as("publish while Redis is out of memory: %s", refused)
                .isEqualTo("unavailable");
        Poll.until(Duration.ofSeconds(5), () -> scrape().value("relay_redis_errors_total") >= 1,
                "the refused publish to be counted");

        cluster.stopNode(1); // its liveness key stays until its TTL runs out
        Poll.until(Duration.ofSeconds(20), () -> scrape().value("relay_node_sweeps_total") == 1,
                "node-b to be swept by node-a");
        Scrape end = scrape();
        assertThat(end.value("relay_pubsub_reconnects_total")).isEqualTo(1);
        assertThat(end.value("relay_node_sweeps_total")).isEqualTo(1);
    }

    private static JsonNode publish(TestClient client, String room, String text) {
        return client.request(Json.obj("type", "publish", "id", client.nextId(), "room", room,
                "data", Json.obj("text", text)), Duration.ofSeconds(5));
    }

    private Scrape scrape() {
        return Scrape.of(cluster.http(0, "/metrics"));
    }

    private void signalRedis(String signal) {
        if (!cluster.redis().isRunning()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(cluster.redis().pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " of redis failed");
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
