package io.relay.it.resume;

import static io.relay.testing.ResumeSupport.assertNotRecovered;
import static io.relay.testing.ResumeSupport.epoch;
import static io.relay.testing.ResumeSupport.historyKey;
import static io.relay.testing.ResumeSupport.joinSince;
import static io.relay.testing.ResumeSupport.metaKey;
import static io.relay.testing.ResumeSupport.publishNumbered;
import static io.relay.testing.ResumeSupport.seq;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Poll;
import io.relay.testing.ResumeSupport.Published;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A room's history and meta keys expire {@code RELAY_HISTORY_TTL} after its last message (DESIGN.md:
 * every key has a TTL); an offset from before the expiry is then not recovered, and the room starts
 * over in a new epoch. Nodes here keep history for 2 s.
 */
class ResumeExpiryIT {
    private static final Duration TTL = Duration.ofSeconds(2);
    /** How long after the last publish the keys must be gone: the TTL plus Redis's expiry sweep. */
    private static final Duration GONE_WITHIN = Duration.ofSeconds(5);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(3, b -> b.historyTtl(TTL));
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
    void historyLivesUntilTtlAfterTheLastMessageThenAnOldOffsetIsNotRecovered() {
        String room = Cluster.unique("resume-ttl");
        String reader = "reader-" + room;
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        TestClient first = cluster.connect(1, reader, "Reader");
        first.join(room);
        publishNumbered(publisher, room, "m", 0, 3);
        assertTtlAtMostHistoryTtl(room);

        // a publish renews the TTL: once it has run down a little, publish again
        Poll.until(GONE_WITHIN, () -> redis().pttl(historyKey(room)), t -> t > 0 && t < 1_500,
                "the TTL of " + historyKey(room) + " to run down below 1500 ms");
        publishNumbered(publisher, room, "m", 3, 4);
        long lastPublish = System.nanoTime();
        assertThat(redis().pttl(historyKey(room))).as("PTTL of %s right after a publish", historyKey(room))
                .isGreaterThan(1_500);
        assertTtlAtMostHistoryTtl(room);
        String old = first.awaitAll(Frames.message(room), 4, TestClient.DEFAULT_TIMEOUT, "messages").get(3)
                .path("offset").asText();
        first.close();
        publisher.close();

        Duration left = GONE_WITHIN.minusNanos(System.nanoTime() - lastPublish);
        Poll.until(left, () -> redis().exists(historyKey(room), metaKey(room)), n -> n == 0,
                historyKey(room) + " and " + metaKey(room) + " to expire within " + GONE_WITHIN.toMillis()
                        + " ms of the last publish");
        assertThat(Duration.ofNanos(System.nanoTime() - lastPublish)).as("not gone before the TTL ran out")
                .isGreaterThan(TTL.minusMillis(500));

        TestClient again = cluster.connect(2, reader, "Reader");
        JsonNode joined = joinSince(again, room, old);
        assertNotRecovered(joined);
        String now = joined.path("offset").asText();
        assertThat(epoch(now)).as("the expired room starts a new epoch: %s after %s", now, old).isNotEqualTo(epoch(old));
        assertThat(seq(now)).as("the new epoch is empty: %s", now).isZero();
        assertThat(redis().pttl(metaKey(room))).as("PTTL of the new meta").isBetween(1L, TTL.toMillis());

        TestClient publisherAgain = cluster.connect(0, "pub-" + room, "Pub");
        publisherAgain.join(room);
        Published fresh = publishNumbered(publisherAgain, room, "fresh", 0, 1).get(0);
        JsonNode firstMessage = again.await(Frames.message(room));
        assertThat(firstMessage.path("offset").asText()).as("nothing of the old epoch is replayed: %s", firstMessage)
                .isEqualTo(fresh.offset());
        assertThat(epoch(fresh.offset())).isEqualTo(epoch(now));
    }

    @Test
    void aRoomThatWasOnlyJoinedLeavesNoKeyWithoutATtl() {
        String room = Cluster.unique("resume-ttl-quiet");
        TestClient client = cluster.connect(1, "quiet-" + room, "Quiet");
        String start = client.join(room).path("offset").asText();
        long joined = System.nanoTime();
        assertThat(seq(start)).as("an empty room's offset %s", start).isZero();
        for (String key : List.of(metaKey(room), historyKey(room))) {
            long pttl = redis().pttl(key);
            assertThat(pttl == -2 || (pttl > 0 && pttl <= TTL.toMillis()))
                    .as("%s is absent or expires within the history TTL (PTTL %d)", key, pttl).isTrue();
        }
        client.close();

        Poll.until(GONE_WITHIN.minusNanos(System.nanoTime() - joined),
                () -> redis().exists(historyKey(room), metaKey(room)), n -> n == 0,
                "the keys of a room that only had a join to expire");
    }

    private static void assertTtlAtMostHistoryTtl(String room) {
        for (String key : List.of(historyKey(room), metaKey(room))) {
            assertThat(redis().pttl(key)).as("PTTL of %s (history TTL %d ms)", key, TTL.toMillis())
                    .isBetween(1L, TTL.toMillis());
        }
    }

    @Test
    void aBusyRoomDropsMessagesOnceTheyAreOlderThanTheTtl() {
        String room = Cluster.unique("resume-age");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        publisher.join(room);
        int old = 16;
        publishNumbered(publisher, room, "old", 0, old);
        long start = System.nanoTime();
        // the room stays busy (10 publishes a second, so its keys never expire) until the first 16 are trimmed
        long[] lastPublish = {0};
        int[] next = {0};
        long trimmedAfter = Poll.until(TTL.multipliedBy(3), () -> {
            if (System.nanoTime() - lastPublish[0] >= 100_000_000L) {
                publishNumbered(publisher, room, "new", next[0], next[0] + 1);
                next[0]++;
                lastPublish[0] = System.nanoTime();
            }
            return firstRetainedSeq(room) > old ? System.nanoTime() - start : -1L;
        }, t -> t >= 0, "the " + old + " oldest messages of " + room + " to be trimmed by age");
        assertThat(Duration.ofNanos(trimmedAfter)).as("age of the oldest messages when they were trimmed")
                .isGreaterThanOrEqualTo(TTL.minusMillis(100));
    }

    private static long firstRetainedSeq(String room) {
        List<StreamMessage<String, String>> oldest = redis().xrange(historyKey(room), Range.create("-", "+"),
                Limit.from(1));
        assertThat(oldest).as("history of %s", room).isNotEmpty();
        String id = oldest.get(0).getId();
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    private static RedisCommands<String, String> redis() {
        return cluster.redis().commands();
    }
}
