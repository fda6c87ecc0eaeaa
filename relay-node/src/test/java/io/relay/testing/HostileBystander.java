package io.relay.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The well-behaved clients of a hostile test: on the node under abuse, a publisher sends a steady
 * stream of numbered messages into a room of its own and a watcher in that room receives them,
 * while the watcher also measures {@code ping}/{@code pong} round trips. {@link #finish} then
 * asserts that nothing was lost, reordered or refused, that neither connection was closed, and that
 * the round trips stayed fast: the abuse did not reach anyone else.
 * <p>
 * Rates stay well inside the default per-connection limit (50 frames/s): 20 publishes/s and 10 pings/s.
 */
public final class HostileBystander implements AutoCloseable {
    private static final Duration PUBLISH_EVERY = Duration.ofMillis(50);
    private static final Duration PING_EVERY = Duration.ofMillis(100);
    private static final Duration PONG_WITHIN = Duration.ofSeconds(5);
    /** Messages that must still flow after the abuse, before the bystander is judged. */
    private static final int AFTERWARDS = 3;

    private final String room;
    private final TestClient publisher;
    private final TestClient watcher;
    private final ScheduledExecutorService timer;
    private final AtomicInteger published = new AtomicInteger();
    private final List<Long> rttNanos = Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;

    /** Round-trip statistics of a stretch of the run, in milliseconds. */
    public record Rtt(int samples, double p50, double p99, double max) {
        @Override
        public String toString() {
            return String.format("%d pings: p50 %.1f ms, p99 %.1f ms, max %.1f ms", samples, p50, p99, max);
        }
    }

    /** What {@link #finish} saw. */
    public record Report(int messages, Rtt rtt) {
        @Override
        public String toString() {
            return messages + " messages delivered in order, " + rtt;
        }
    }

    private HostileBystander(String room, TestClient publisher, TestClient watcher) {
        this.room = room;
        this.publisher = publisher;
        this.watcher = watcher;
        this.timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "bystander-" + room);
            t.setDaemon(true);
            return t;
        });
    }

    /** Bystanders on node {@code index} of {@code cluster}. */
    public static HostileBystander on(Cluster cluster, int index) {
        return start(cluster.wsBase(index), user -> cluster.token(user, "Bystander " + user));
    }

    /** Bystanders on a child-process node (HS256 with the tests' shared secret). */
    public static HostileBystander on(NodeProcess node) {
        Tokens tokens = new Tokens(NodeProcess.SECRET);
        return start(node.wsBase(), user -> tokens.mint(user, "Bystander " + user));
    }

    /**
     * Connects a publisher and a watcher to {@code wsBase}, with tokens from {@code tokenFor}
     * (user id to token), joins both to a fresh room and starts publishing and pinging.
     */
    public static HostileBystander start(URI wsBase, Function<String, String> tokenFor) {
        String room = Cluster.unique("bystanders");
        String pub = "pub-" + room;
        String watch = "watch-" + room;
        TestClient publisher = TestClient.to(wsBase).label(pub).token(tokenFor.apply(pub)).connect();
        TestClient watcher = null;
        try {
            watcher = TestClient.to(wsBase).label(watch).token(tokenFor.apply(watch)).connect();
            watcher.join(room);
            publisher.join(room);
        } catch (RuntimeException | Error e) {
            publisher.close();
            if (watcher != null) {
                watcher.close();
            }
            throw e;
        }
        HostileBystander b = new HostileBystander(room, publisher, watcher);
        b.timer.scheduleAtFixedRate(b::publishNext, 0, PUBLISH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        b.timer.scheduleWithFixedDelay(b::pingOnce, 0, PING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return b;
    }

    public String room() {
        return room;
    }

    /** The watcher connection (for tests that want it in another room too). */
    public TestClient watcher() {
        return watcher;
    }

    /** Round trips measured so far: pass to {@link #rtt(int, int)} to judge a stretch of the run. */
    public int mark() {
        return rttNanos.size();
    }

    /** Waits until at least {@code samples} round trips were measured (a baseline before the abuse). */
    public void awaitSamples(int samples) {
        Poll.until(Duration.ofSeconds(15), () -> rttNanos.size() >= samples || !failures.isEmpty(),
                samples + " bystander ping round trips");
    }

    /** Statistics of the round trips from mark {@code from} (inclusive) to mark {@code to} (exclusive). */
    public Rtt rtt(int from, int to) {
        List<Long> slice;
        synchronized (rttNanos) {
            slice = new ArrayList<>(rttNanos.subList(from, Math.min(to, rttNanos.size())));
        }
        if (slice.isEmpty()) {
            return new Rtt(0, 0, 0, 0);
        }
        Collections.sort(slice);
        return new Rtt(slice.size(), ms(percentile(slice, 0.50)), ms(percentile(slice, 0.99)),
                ms(slice.get(slice.size() - 1)));
    }

    /**
     * Lets a few more messages flow, stops, and asserts that the bystanders were unaffected: every
     * publish acked, every message at the watcher exactly once and in order, no error and no close
     * on either connection, and ping round trips from {@code fromMark} on with p99 under {@code maxP99}.
     */
    public Report finish(int fromMark, Duration maxP99) {
        int target = published.get() + AFTERWARDS;
        Poll.until(Duration.ofSeconds(10), () -> published.get() >= target || !failures.isEmpty(),
                "the bystander publisher to go on publishing after the abuse");
        stop();
        assertThat(failures).as("bystander failures (room %s)", room).isEmpty();
        int n = published.get();
        assertThat(n).as("bystander messages published").isPositive();

        List<JsonNode> acks = publisher.awaitAll(Frames.type("ack"), n, Duration.ofSeconds(10),
                "acks of the bystander's publishes");
        for (JsonNode ack : acks) {
            assertThat(ack.path("offset").isTextual()).as("bystander ack %s", ack).isTrue();
        }
        List<JsonNode> messages = watcher.awaitAll(Frames.message(room), n, Duration.ofSeconds(10),
                "the bystander's messages at the watcher");
        for (int i = 0; i < n; i++) {
            JsonNode m = messages.get(i);
            assertThat(m.path("data").path("seq").asInt(-1)).as("bystander message #%d in order: %s", i, m).isEqualTo(i);
            assertThat(m.path("from").path("id").asText()).as("sender of %s", m).isEqualTo(publisher.toString());
        }
        watcher.assertNoFrame(Frames.message(room), Duration.ofMillis(100));
        for (TestClient c : List.of(publisher, watcher)) {
            assertThat(c.isClosed()).as("bystander %s closed", c).isFalse();
            assertThat(c.received()).as("frames of bystander %s", c).noneMatch(Frames.type("error"));
        }
        Rtt rtt = rtt(fromMark, Integer.MAX_VALUE);
        assertThat(rtt.samples()).as("bystander pings measured during the abuse").isPositive();
        assertThat(rtt.p99()).as("bystander ping p99 in ms (%s)", rtt).isLessThan((double) maxP99.toMillis());
        return new Report(n, rtt);
    }

    /** Stops publishing and pinging (idempotent). */
    public void stop() {
        stopped = true;
        timer.shutdown();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        publisher.close();
        watcher.close();
    }

    private void publishNext() {
        if (stopped || !failures.isEmpty()) {
            return;
        }
        int seq = published.get();
        String frame = Json.obj("type", "publish", "id", "bp" + seq, "room", room, "data", Json.obj("seq", seq))
                .toString();
        if (publisher.trySend(frame)) {
            published.incrementAndGet();
        } else {
            failures.add("publish #" + seq + " could not be sent: publisher connection broken");
        }
    }

    private void pingOnce() {
        if (stopped || !failures.isEmpty()) {
            return;
        }
        String id = watcher.nextId();
        long start = System.nanoTime();
        try {
            watcher.request(Json.obj("type", "ping", "id", id), PONG_WITHIN);
            rttNanos.add(System.nanoTime() - start);
        } catch (AssertionError e) {
            failures.add("ping " + id + " unanswered within " + PONG_WITHIN.toMillis() + " ms: " + e.getMessage());
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
