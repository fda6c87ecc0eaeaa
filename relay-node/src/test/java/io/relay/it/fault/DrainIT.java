package io.relay.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Cluster;
import io.relay.testing.Connector;
import io.relay.testing.Frames;
import io.relay.testing.NodeProcess;
import io.relay.testing.Poll;
import io.relay.testing.ProcessCluster;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Draining on SIGTERM (DESIGN.md, Guarantees; PROTOCOL.md, close code 1012): the node reports
 * not-ready at once, refuses new upgrades with 503, closes its clients with 1012 spread over time
 * (not all in one millisecond), removes their presence so members elsewhere see them leave, and exits
 * with 0 within the drain timeout, while the other nodes stay ready throughout.
 */
class DrainIT {
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    /** The process must be gone by the drain timeout plus this. */
    private static final Duration EXIT_SLACK = Duration.ofSeconds(3);
    private static final int DRAINED_CLIENTS = 20;

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster();

    /** When a client saw its connection close, and with which code. */
    private record Closed(String user, int code, long atNanos) {
    }

    @Test
    void aDrainingNodeRefusesNewcomersClosesItsClientsGraduallyAndHandsTheirPresenceOver() throws Exception {
        List<NodeProcess> nodes = cluster.startNodes("drain", 3,
                Map.of("RELAY_DRAIN_TIMEOUT", DRAIN_TIMEOUT.toSeconds() + "s"));
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        NodeProcess draining = nodes.get(2);
        String room = Cluster.unique("drain");
        TestClient wa = cluster.member(a, "wa-" + room, "Watcher A", room);
        TestClient wb = cluster.member(b, "wb-" + room, "Watcher B", room);
        List<String> users = new ArrayList<>();
        List<TestClient> drained = new ArrayList<>();
        for (int i = 0; i < DRAINED_CLIENTS; i++) {
            String user = "d" + i + "-" + room;
            users.add(user);
            drained.add(cluster.member(draining, user, "Drained " + i, room));
        }
        Poll.until(Duration.ofSeconds(5), () -> cluster.presence(room).keySet(), p -> p.containsAll(users),
                "the presence of " + room + " to list the " + DRAINED_CLIENTS + " users of " + draining.nodeId());

        ExecutorService watchers = Executors.newFixedThreadPool(DRAINED_CLIENTS + 1);
        ReadinessWatch others = new ReadinessWatch(List.of(a, b));
        try {
            List<CompletableFuture<Closed>> closes = new ArrayList<>();
            for (int i = 0; i < DRAINED_CLIENTS; i++) {
                TestClient client = drained.get(i);
                String user = users.get(i);
                Duration wait = DRAIN_TIMEOUT.plus(EXIT_SLACK).plusSeconds(2);
                closes.add(CompletableFuture.supplyAsync(
                        () -> new Closed(user, client.closeCode(wait), System.nanoTime()), watchers));
            }
            CompletableFuture<Void> watch = CompletableFuture.runAsync(others, watchers);

            long term = System.nanoTime();
            draining.sigterm();

            Poll.until(Duration.ofSeconds(1), () -> draining.status("/readyz", Duration.ofMillis(500)), s -> s == 503,
                    "/readyz of the draining node to answer 503 within 1 s of SIGTERM");
            Connector.Rejection refused = TestClient.to(draining.wsBase()).label("late@" + draining.nodeId())
                    .token(cluster.token("late-" + room, "Late")).reject();
            assertThat(refused.status()).as("a new upgrade to a draining node: %s", refused).isEqualTo(503);

            List<Closed> closed = new ArrayList<>();
            for (CompletableFuture<Closed> close : closes) {
                closed.add(close.get(DRAIN_TIMEOUT.plus(EXIT_SLACK).plusSeconds(3).toMillis(), TimeUnit.MILLISECONDS));
            }
            assertThat(closed).as("close codes of the drained clients").allSatisfy(
                    c -> assertThat(c.code()).as(c.user()).isEqualTo(1012));
            long first = closed.stream().mapToLong(Closed::atNanos).min().orElseThrow();
            long last = closed.stream().mapToLong(Closed::atNanos).max().orElseThrow();
            System.out.printf("DrainIT: %d clients closed between %d and %d ms after SIGTERM%n", DRAINED_CLIENTS,
                    (first - term) / 1_000_000, (last - term) / 1_000_000);
            assertThat(Duration.ofNanos(last - first)).as("the spread of the %d closes (not all at once)", DRAINED_CLIENTS)
                    .isGreaterThan(Duration.ofMillis(100));

            Duration leaveBound = Duration.ofNanos(Math.max(0, term + DRAIN_TIMEOUT.plus(EXIT_SLACK).toNanos()
                    - System.nanoTime()));
            for (TestClient watcher : List.of(wa, wb)) {
                for (String user : users) {
                    watcher.await(Frames.presence(room, "leave", user), leaveBound,
                            "the leave event of drained " + user);
                }
            }
            Poll.until(Duration.ofSeconds(2), () -> cluster.presence(room).keySet(),
                    p -> p.equals(Set.of("wa-" + room, "wb-" + room)),
                    "the drained users to be gone from the presence of " + room);

            Duration exitBound = Duration.ofNanos(Math.max(0, term + DRAIN_TIMEOUT.plus(EXIT_SLACK).toNanos()
                    - System.nanoTime()));
            int exit = draining.waitForExit(exitBound);
            System.out.printf("DrainIT: the drained node exited with %d after %d ms%n", exit,
                    (System.nanoTime() - term) / 1_000_000);
            assertThat(exit).as("exit code of the drained node").isZero();
            // a clean stop takes its registration with it: nobody has to sweep it later
            assertThat(cluster.redis().commands().exists("relay:node:" + draining.nodeId()))
                    .as("liveness key of the drained node").isZero();
            assertThat(cluster.redis().commands().smembers("relay:nodes"))
                    .as("registered nodes after the drain").doesNotContain(draining.nodeId())
                    .contains(a.nodeId(), b.nodeId());

            TestClient.assertNoFrame(List.of(wa, wb), f -> Frames.type("presence").test(f)
                    && "leave".equals(f.path("event").asText()), Duration.ofSeconds(1));
            others.stop();
            watch.get(5, TimeUnit.SECONDS);
            assertThat(others.checks.get()).as("readiness checks of the other nodes during the drain")
                    .isGreaterThanOrEqualTo(10);
            assertThat(others.failures).as("/readyz answers other than 200 from the other nodes during the drain")
                    .isEmpty();
            assertThat(wa.isClosed() || wb.isClosed()).as("members on the other nodes stay connected").isFalse();
        } finally {
            others.stop();
            watchers.shutdownNow();
        }
    }

    /** Polls {@code /readyz} of some nodes every 100 ms until stopped, recording every answer that is not 200. */
    private static final class ReadinessWatch implements Runnable {
        private final List<NodeProcess> nodes;
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger checks = new AtomicInteger();
        private volatile boolean stopped;

        ReadinessWatch(List<NodeProcess> nodes) {
            this.nodes = nodes;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            while (!stopped) {
                for (NodeProcess node : nodes) {
                    int status = node.status("/readyz", Duration.ofSeconds(1));
                    checks.incrementAndGet();
                    if (status != 200) {
                        failures.add(node.nodeId() + " answered " + status + " at "
                                + (System.nanoTime() - start) / 1_000_000 + " ms");
                    }
                }
                pause(Duration.ofMillis(100));
            }
        }

        private void pause(Duration d) {
            long until = System.nanoTime() + d.toNanos();
            Poll.until(d.plusSeconds(1), () -> stopped || System.nanoTime() >= until, "the next readiness check");
        }
    }
}
