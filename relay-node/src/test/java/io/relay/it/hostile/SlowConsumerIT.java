package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.HostileSocket;
import io.relay.testing.HostileSocket.Drained;
import io.relay.testing.Json;
import io.relay.testing.LogCapture;
import io.relay.testing.Poll;
import io.relay.testing.RedisKeys;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, slow consumers: a client that stops reading has its outbound queue bounded
 * ({@code RELAY_OUTBOUND_QUEUE} = 1024 frames, or 4 MiB) and is closed with 4008 when it overflows;
 * the node cuts a client that ignores the close frame after 5 s, so its presence leaves the room.
 * The broadcast path does not wait for it: the publisher's acks come as fast as without it, and the
 * other members get every message.
 * <p>
 * The slow client never reads, so its 4008 cannot be seen on its socket (the close frame is queued
 * behind what it did not read); the node's side shows it: the {@code closed ... code=4008} log line,
 * the presence leave, and the socket ending once the test finally reads it. Publishers here are not
 * members ({@code RELAY_ALLOW_PUBLISH_WITHOUT_JOIN}), so they do not receive their own 10 MB back,
 * and the rate limit is lifted for them.
 */
class SlowConsumerIT {
    private static final int MESSAGES = 5_000;
    private static final String PAD_2KB = "p".repeat(2_000);
    private static final int WINDOW = 100;
    private static final Duration LEAVES_WITHIN = Duration.ofSeconds(15);
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1, b -> b.rate(1_000_000).burst(1_000_000).allowPublishWithoutJoin(true));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @AfterEach
    void closeClients() {
        cluster.closeClients();
    }

    @Test
    void aClientThatStopsReadingIsClosedWith4008AndNobodyElseWaits() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String tag = Cluster.unique("slow");
            TestClient publisher = cluster.connect(0, "publisher-" + tag, "Publisher");

            // baseline: the same traffic with only a reading member
            String calm = "calm-" + tag;
            TestClient calmWatcher = watcher(calm, "calm-watcher-" + tag);
            long baseline = publishAll(publisher, calm, MESSAGES, PAD_2KB, WINDOW);
            assertAllInOrder(calmWatcher, calm, MESSAGES);

            String room = "stalled-" + tag;
            TestClient roomWatcher = watcher(room, "watcher-" + tag);
            String slowUser = "sloth-" + tag;
            try (LogCapture log = LogCapture.of("io.relay.node.Coordinator");
                 HostileSocket slow = stalledMember(room, slowUser, roomWatcher)) {
                LeaveClock leave = new LeaveClock(room, slowUser);
                long elapsed = publishAll(publisher, room, MESSAGES, PAD_2KB, WINDOW);
                assertAllInOrder(roomWatcher, room, MESSAGES);
                long leftAfter = leave.await(LEAVES_WITHIN);
                roomWatcher.await(Frames.presence(room, "leave", slowUser), Duration.ofSeconds(5),
                        "the slow client's presence leave");
                Drained drained = slow.drain(Duration.ofSeconds(10));

                System.out.printf("SlowConsumerIT: %d x 2 KB acked in %d ms without a slow member, %d ms with one; "
                        + "the slow member left presence %d ms after publishing began; its socket then gave %d "
                        + "frames (%d bytes) and ended with %s%n", MESSAGES, baseline / 1_000_000,
                        elapsed / 1_000_000, leftAfter / 1_000_000, drained.textFrames(), drained.bytes(),
                        drained.end());
                assertClosedSlow(log, slowUser, drained);
                assertThat(drained.textFrames()).as("frames the slow client could still read")
                        .isLessThan(MESSAGES);
                assertThat(elapsed).as("publishing %d messages with a slow member (ns), vs %d ms without",
                        MESSAGES, baseline / 1_000_000).isLessThan(3 * baseline + 1_000_000_000L);
            }
            System.out.println("SlowConsumerIT: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    /** Fewer frames than the frame bound, but 12 MB of them: the 4 MiB byte bound closes the client. */
    @Test
    void aSlowClientOfLargeMessagesIsClosedByTheByteBound() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String tag = Cluster.unique("slow-bytes");
            TestClient publisher = cluster.connect(0, "publisher-" + tag, "Publisher");
            String room = "heavy-" + tag;
            TestClient roomWatcher = watcher(room, "watcher-" + tag);
            String slowUser = "sloth-" + tag;
            int count = 200;
            try (LogCapture log = LogCapture.of("io.relay.node.Coordinator");
                 HostileSocket slow = stalledMember(room, slowUser, roomWatcher)) {
                LeaveClock leave = new LeaveClock(room, slowUser);
                publishAll(publisher, room, count, "q".repeat(60_000), 20);
                assertAllInOrder(roomWatcher, room, count);
                long leftAfter = leave.await(LEAVES_WITHIN);
                Drained drained = slow.drain(Duration.ofSeconds(10));
                System.out.printf("SlowConsumerIT bytes: %d x 60 KB; the slow member left presence %d ms after "
                        + "publishing began; its socket ended with %s after %d frames%n", count,
                        leftAfter / 1_000_000, drained.end(), drained.textFrames());
                assertClosedSlow(log, slowUser, drained);
            }
            System.out.println("SlowConsumerIT bytes: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static TestClient watcher(String room, String user) {
        TestClient watcher = cluster.connect(0, user, "Watcher");
        watcher.join(room);
        return watcher;
    }

    /**
     * A member of {@code room} (joined through {@code /ws/{room}}) with a 4 KB receive buffer that
     * reads nothing after the upgrade response; returns once its presence join reached {@code watcher}.
     */
    private static HostileSocket stalledMember(String room, String user, TestClient watcher) {
        HostileSocket slow = HostileSocket.to(cluster.wsBase(0)).path("/ws/" + room).label(user)
                .token(cluster.token(user, "Sloth")).receiveBuffer(4096).noReading().open();
        watcher.await(Frames.presence(room, "join", user), Duration.ofSeconds(5), "the slow client's presence join");
        return slow;
    }

    /**
     * Publishes {@code count} messages of {@code pad} plus a sequence number, at most {@code window}
     * unacknowledged at a time, and returns the nanoseconds until the last ack.
     */
    private static long publishAll(TestClient publisher, String room, int count, String pad, int window) {
        long start = System.nanoTime();
        int acked = 0;
        for (int i = 0; i < count; i++) {
            if (i - acked >= window) {
                awaitAck(publisher);
                acked++;
            }
            publisher.send(Json.obj("type", "publish", "id", "p" + i, "room", room,
                    "data", Json.obj("seq", i, "pad", pad)));
        }
        for (; acked < count; acked++) {
            awaitAck(publisher);
        }
        return System.nanoTime() - start;
    }

    private static void awaitAck(TestClient publisher) {
        JsonNode reply = publisher.await(Frames.type("ack").or(Frames.type("error")), Duration.ofSeconds(10),
                "a publish ack");
        publisher.expectType(reply, "ack");
    }

    private static void assertAllInOrder(TestClient watcher, String room, int count) {
        List<JsonNode> got = watcher.awaitAll(Frames.message(room), count, Duration.ofSeconds(30),
                "messages of " + room);
        for (int i = 0; i < count; i++) {
            assertThat(got.get(i).path("data").path("seq").asInt(-1)).as("message #%d of %s", i, room).isEqualTo(i);
        }
        assertThat(watcher.isClosed()).as("the reading member %s was closed", watcher).isFalse();
    }

    /** The node logged the slow client's close with 4008, and its socket has ended (EOF, reset or that close). */
    private static void assertClosedSlow(LogCapture log, String user, Drained drained) {
        List<String> closes = log.lines().stream()
                .filter(line -> line.contains("closed ") && line.contains("user=" + user + " ")).toList();
        assertThat(closes).as("the node's close line for %s", user).hasSize(1);
        assertThat(closes.get(0)).as("the node's close line for %s", user).contains("code=4008");
        if (drained.end().code() != null) {
            assertThat(drained.end().code()).as("close frame at the end of the slow socket").isEqualTo(4008);
        }
    }

    /** Watches the room's presence hash in Redis for the user's entry to go. */
    private static final class LeaveClock {
        private final long start = System.nanoTime();
        private final AtomicLong leftAt = new AtomicLong();
        private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();

        LeaveClock(String room, String user) {
            String key = RedisKeys.presence(room);
            if (!cluster.redis().commands().hexists(key, user)) {
                throw new AssertionError(user + " not present in " + key + " before the test");
            }
            poller.scheduleWithFixedDelay(() -> {
                if (leftAt.get() == 0 && !cluster.redis().commands().hexists(key, user)) {
                    leftAt.set(System.nanoTime());
                }
            }, 25, 25, TimeUnit.MILLISECONDS);
        }

        /** Nanoseconds from this clock's start until the entry went; fails after {@code within}. */
        long await(Duration within) {
            try {
                Poll.until(within.minusNanos(System.nanoTime() - start), () -> leftAt.get() != 0,
                        "the slow client's presence entry to go");
                return leftAt.get() - start;
            } finally {
                poller.shutdownNow();
            }
        }
    }
}
