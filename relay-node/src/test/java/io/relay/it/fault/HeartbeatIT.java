package io.relay.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.NodeProcess;
import io.relay.testing.Poll;
import io.relay.testing.ProcessCluster;
import io.relay.testing.RawWebSocket;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Heartbeats (PROTOCOL.md): the server pings every {@code heartbeat} and closes a connection that
 * has sent nothing, no pong and no frame, for three intervals, with 4408. A client that answers the
 * pings stays, and so does one that ignores them but sends {@code {"type":"ping"}} frames
 * (mini-programs).
 */
class HeartbeatIT {
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** Three intervals, plus slack for the server's check period. */
    private static final Duration CLOSED_BY = Duration.ofSeconds(6);
    private static final Duration NOT_BEFORE = Duration.ofSeconds(2);
    private static final int HEARTBEAT_TIMEOUT = 4408;

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster();

    @Test
    void aSilentClientIsClosedAfterThreeIntervalsWhileClientsThatAnswerOrPingStay() {
        NodeProcess node = cluster.startNodes("beat", 1, Map.of("RELAY_HEARTBEAT", "1s")).get(0);
        String tag = Cluster.unique("beat");
        TestClient answering = cluster.connect(node, "answering-" + tag, "Answers pings");
        assertThat(answering.welcome().path("heartbeat").asInt()).as("welcome %s", answering.welcome())
                .isEqualTo((int) HEARTBEAT.toSeconds());
        RawWebSocket pinging = cluster.raw(node, "/ws", "pinging-" + tag, "Sends ping frames");
        pinging.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome");
        RawWebSocket silent = cluster.raw(node, "/ws", "silent-" + tag, "Says nothing");
        long connected = System.nanoTime();
        silent.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome");

        ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        try {
            pinger.scheduleAtFixedRate(() -> {
                if (pinging.sendText("{\"type\":\"ping\",\"id\":\"p" + sent.incrementAndGet() + "\"}")) {
                    return;
                }
                sent.decrementAndGet();
            }, 0, 500, TimeUnit.MILLISECONDS);

            RawWebSocket.Close close = silent.awaitClose(CLOSED_BY);
            Duration after = Duration.ofNanos(close.atNanos() - connected);
            System.out.printf("HeartbeatIT: the silent client was closed after %d ms with %s (%d pings ignored)%n",
                    after.toMillis(), close, silent.pingsReceived());
            assertThat(after).as("time until the silent client was closed").isGreaterThanOrEqualTo(NOT_BEFORE);
            if (close.code() != null) {
                assertThat(close.code()).as("close code for a heartbeat timeout: %s", close).isEqualTo(HEARTBEAT_TIMEOUT);
            }
            assertThat(silent.pingsReceived()).as("pings the silent client got (and ignored)").isPositive();

            Poll.during(Duration.ofNanos(Math.max(0, connected + CLOSED_BY.toNanos() - System.nanoTime())),
                    () -> !answering.isClosed() && !pinging.isClosed(),
                    "the client answering pings and the client sending ping frames stay open");
        } finally {
            pinger.shutdownNow();
        }
        answering.ping();
        assertThat(pinging.isClosed()).as("the ping-frame client, closed with %s", pinging.closeNow()).isFalse();
        JsonNode pong = pinging.await(Frames.type("pong"), Duration.ofSeconds(2), "a pong");
        assertThat(pong.path("id").asText()).startsWith("p");
        assertThat(sent.get()).as("ping frames sent").isGreaterThanOrEqualTo(8);
    }
}
