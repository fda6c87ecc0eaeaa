package io.relay.it.fault;

import static io.relay.it.fault.RedisFaults.awaitReadiness;
import static io.relay.it.fault.RedisFaults.expectUnavailable;
import static io.relay.it.fault.RedisFaults.left;
import static io.relay.it.fault.RedisFaults.message;
import static io.relay.it.fault.RedisFaults.publishUntilAcked;
import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Cluster;
import io.relay.testing.NodeProcess;
import io.relay.testing.Poll;
import io.relay.testing.ProcessCluster;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * F-5: a hung Redis (SIGSTOP: sockets open, no answers) for longer than the command timeout.
 * Publishes are answered {@code unavailable} in about the timeout instead of hanging, {@code /readyz}
 * turns 503, {@code /healthz} keeps answering; after SIGCONT the nodes recover by themselves.
 */
class RedisPauseIT {
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration UNAVAILABLE_BOUND = REDIS_TIMEOUT.plusSeconds(1);
    /** How long Redis stays stopped at least: three command timeouts. */
    private static final Duration PAUSE = Duration.ofSeconds(3);
    /** The pause is cut short of this even if readiness never turned 503 (the test then fails). */
    private static final Duration MAX_PAUSE = Duration.ofSeconds(4);
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(15);

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster();

    @Test
    void aHungRedisFailsPublishesFastAndTheNodesRecoverAfterwards() throws Exception {
        List<NodeProcess> nodes = cluster.startNodes("pause", 2, Map.of("RELAY_REDIS_TIMEOUT", "1s"));
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        String room = Cluster.unique("pause");
        TestClient ca = cluster.member(a, "pa-" + room, "On A", room);
        TestClient cb = cluster.member(b, "pb-" + room, "On B", room);
        String before = publishUntilAcked(ca, room, "before", Duration.ofSeconds(5));
        cb.await(message(room, before));

        HealthWatch health = new HealthWatch(nodes);
        Thread watching = new Thread(health, "healthz-watch");
        watching.setDaemon(true);
        watching.start();
        try {
            long resumed = pauseAndExpectFastFailures(nodes, ca, cb, room);

            awaitReadiness(nodes, 200, left(resumed, RECOVERY_BOUND));
            String fromA = publishUntilAcked(ca, room, "after-a", left(resumed, RECOVERY_BOUND));
            cb.await(message(room, fromA), left(resumed, RECOVERY_BOUND));
            String fromB = publishUntilAcked(cb, room, "after-b", left(resumed, RECOVERY_BOUND));
            ca.await(message(room, fromB), left(resumed, RECOVERY_BOUND));
            System.out.printf("RedisPauseIT: recovered %d ms after SIGCONT%n", (System.nanoTime() - resumed) / 1_000_000);
        } finally {
            health.stop();
            watching.join(5_000);
        }
        assertThat(health.checks.get()).as("/healthz checks during the test").isGreaterThanOrEqualTo(10);
        assertThat(health.failures).as("/healthz answers other than 200 (a hung node answers -1)").isEmpty();
        assertThat(nodes).as("nodes alive").allMatch(NodeProcess::isAlive);
        assertThat(ca.isClosed() || cb.isClosed()).as("clients closed by the pause").isFalse();
    }

    /**
     * Stops Redis for {@link #PAUSE} (longer if readiness is slow to notice, up to {@link #MAX_PAUSE});
     * meanwhile publishes must fail fast and readiness turn 503. Returns when Redis was resumed.
     */
    private long pauseAndExpectFastFailures(List<NodeProcess> nodes, TestClient ca, TestClient cb, String room)
            throws InterruptedException {
        long paused = System.nanoTime();
        try {
            cluster.pauseRedis();
            paused = System.nanoTime();
            List<Duration> took = new ArrayList<>();
            took.add(expectUnavailable(ca, room, UNAVAILABLE_BOUND));
            took.add(expectUnavailable(cb, room, UNAVAILABLE_BOUND));
            awaitReadiness(nodes, 503, left(paused, MAX_PAUSE));
            if (left(paused, PAUSE).toMillis() > UNAVAILABLE_BOUND.toMillis()) {
                took.add(expectUnavailable(ca, room, UNAVAILABLE_BOUND));
            }
            System.out.printf("RedisPauseIT: publishes answered 'unavailable' after %s ms with Redis stopped%n",
                    took.stream().map(Duration::toMillis).toList());
            Thread.sleep(left(paused, PAUSE).toMillis()); // the pause itself is the point: Redis stays stopped
        } finally {
            cluster.resumeRedis();
        }
        long resumed = System.nanoTime();
        System.out.printf("RedisPauseIT: Redis was stopped for %d ms%n", (resumed - paused) / 1_000_000);
        return resumed;
    }

    /** Asks {@code /healthz} of every node every ~200 ms until stopped; records any answer but 200. */
    private static final class HealthWatch implements Runnable {
        private final List<NodeProcess> nodes;
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger checks = new AtomicInteger();
        private volatile boolean stopped;

        HealthWatch(List<NodeProcess> nodes) {
            this.nodes = nodes;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            while (!stopped) {
                long round = System.nanoTime();
                for (NodeProcess node : nodes) {
                    int status = node.status("/healthz", Duration.ofSeconds(2));
                    checks.incrementAndGet();
                    if (status != 200) {
                        failures.add(node.nodeId() + " answered " + status + " at "
                                + (System.nanoTime() - start) / 1_000_000 + " ms");
                    }
                }
                Poll.until(Duration.ofSeconds(3),
                        () -> stopped || System.nanoTime() - round >= 200_000_000L, "the next health check");
            }
        }
    }
}
