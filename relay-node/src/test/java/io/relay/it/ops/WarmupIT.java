package io.relay.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.config.NodeConfig;
import io.relay.node.RelayNode;
import io.relay.testing.Cluster;
import io.relay.testing.Http;
import io.relay.testing.LogCapture;
import io.relay.testing.Poll;
import io.relay.testing.RedisKeys;
import io.relay.testing.RedisServerProcess;
import io.relay.testing.ResumeSupport;
import io.relay.testing.TestClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RELAY_WARMUP: the node runs that many loopback clients through connect, join, publish and close
 * before it says ready (/readyz 503 meanwhile), leaves no presence behind, and serves normally after;
 * a warm-up that fails does not stop the node.
 */
class WarmupIT {
    private static final String ROOM = "relay-warmup:node-a";

    @Test
    void aWarmedNodeRanEveryRoundThroughRedisLeftNoPresenceAndServes() {
        try (Cluster cluster = Cluster.start(1, config -> config.warmup(40))) {
            var redis = cluster.redis().commands();
            assertThat(redis.xlen(ResumeSupport.historyKey(ROOM))).as("one published message per round").isEqualTo(40);
            assertThat(redis.hlen(RedisKeys.roster(ROOM))).as("each round was its own user").isEqualTo(40);
            Poll.until(Duration.ofSeconds(10), () -> redis.hlen(RedisKeys.presence(ROOM)) == 0,
                    "every warm-up connection to have left the room's presence");
            assertThat(Http.get(cluster.http(0, "/readyz")).status()).isEqualTo(200);

            String room = Cluster.unique("after-warmup");
            TestClient ann = cluster.connect(0, Cluster.unique("ann"), "Ann");
            ann.join(room);
            ann.publish(room, "hello");
            assertThat(ann.await(f -> f.path("type").asText().equals("message")).path("data").asText())
                    .isEqualTo("hello");
        }
    }

    @Test
    void readyzAnswers503UntilTheWarmupIsDone() throws Exception {
        try (LogCapture listenerErrors = LogCapture.of("org.xnio.listener"); // where XNIO reports a listener's exception
             RedisServerProcess redis = RedisServerProcess.start()) {
            int port = freePort();
            NodeConfig config = Cluster.baseConfig("node-a", redis.url()).port(port).warmup(1500).build();
            CompletableFuture<RelayNode> starting = CompletableFuture.supplyAsync(() -> RelayNode.start(config));
            URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
            List<Integer> seen = new CopyOnWriteArrayList<>();
            try {
                while (!starting.isDone()) {
                    seen.add(status(readyz));
                    Thread.sleep(5);
                }
                try (RelayNode node = starting.get(60, TimeUnit.SECONDS)) {
                    assertThat(seen).as("/readyz while the node warmed up").contains(503);
                    List<Integer> answered = seen.stream().filter(s -> s > 0).toList();
                    int firstReady = answered.contains(200) ? answered.indexOf(200) : answered.size();
                    assertThat(answered.subList(0, firstReady)).as("before ready: %s", answered).containsOnly(503);
                    assertThat(answered.subList(firstReady, answered.size())).as("once ready: %s", answered)
                            .doesNotContain(503);
                    assertThat(node.ready()).isTrue();
                    assertThat(status(readyz)).isEqualTo(200);
                    // the last rounds' channels still read (the others' messages) until the node answers their close
                    assertThat(listenerErrors.lines()).as("no warm-up channel read with its buffer pool closed")
                            .noneSatisfy(line -> assertThat(line).contains("threw an exception"));
                }
            } finally {
                starting.thenAccept(RelayNode::close);
            }
        }
    }

    @Test
    void aFailingWarmupIsReportedAndTheNodeServesAnyway() {
        try (LogCapture log = LogCapture.of("io.relay.node.Warmup");
             Cluster cluster = Cluster.start(1, config -> config.warmup(50).maxFrameBytes(16))) { // no join fits
            assertThat(cluster.node(0).ready()).isTrue();
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains("warm-up stopped after 0 of 50"));
            assertThat(log.lines()).noneSatisfy(line -> assertThat(line).containsIgnoringCase("eyJ")); // no token
        }
    }

    private static int status(URI uri) {
        try {
            return Http.get(uri).status();
        } catch (AssertionError e) {
            return -1; // not listening yet
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
