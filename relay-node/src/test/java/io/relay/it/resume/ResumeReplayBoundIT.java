package io.relay.it.resume;

import static io.relay.testing.ResumeSupport.assertNotRecovered;
import static io.relay.testing.ResumeSupport.assertRecovered;
import static io.relay.testing.ResumeSupport.assertStrictlyIncreasing;
import static io.relay.testing.ResumeSupport.dataOf;
import static io.relay.testing.ResumeSupport.dataOfPublished;
import static io.relay.testing.ResumeSupport.id;
import static io.relay.testing.ResumeSupport.messagesReceived;
import static io.relay.testing.ResumeSupport.offsets;
import static io.relay.testing.ResumeSupport.offsetsOf;
import static io.relay.testing.ResumeSupport.publishNumbered;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.ResumeSupport.Published;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The largest replay: 1,000 missed messages (the default history size, and the most a join
 * replays) come back whole and in order, and the time it takes is printed; one more than that is
 * not recovered. Nodes run with the default history size and outbound queue.
 */
class ResumeReplayBoundIT {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    /** The default RELAY_HISTORY_SIZE, and the replay bound of docs/protocol.md. */
    private static final int BOUND = 1_000;
    private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(30);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        // a thousand publishes in a row; the rate limit is another test's subject
        cluster = Cluster.start(3, b -> b.rate(100_000).burst(100_000));
        assertThat(cluster.config(0).historySize()).as("default history size").isEqualTo(BOUND);
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
    void aThousandMissedMessagesAreReplayedWholeAndInOrder() {
        String room = Cluster.unique("resume-1000");
        String reader = "reader-" + room;
        TestClient publisher = member(C, "pub-" + room, room);
        TestClient first = member(A, reader, room);
        publishNumbered(publisher, room, "before", 0, 1);
        String last = first.await(Frames.message(room)).path("offset").asText();
        first.close();
        List<Published> missed = publishNumbered(publisher, room, "m", 0, BOUND);

        TestClient again = cluster.connect(B, reader, "Reader");
        long sent = System.nanoTime();
        again.send(Json.obj("type", "join", "id", "resume", "room", room, "since", last));
        JsonNode joined = again.expectType(again.await(Frames.id(id("resume")), REPLAY_TIMEOUT, "joined"), "joined");
        long joinedAt = System.nanoTime();
        List<JsonNode> replay = again.awaitAll(Frames.message(room), BOUND, REPLAY_TIMEOUT, "the 1000 missed messages");
        long done = System.nanoTime();
        System.out.printf("ResumeReplayBoundIT: replay of %d missed messages on node %s: %d ms from sending the join"
                        + " to receiving the last missed message (joined after %d ms)%n", replay.size(),
                cluster.nodeId(B), Duration.ofNanos(done - sent).toMillis(), Duration.ofNanos(joinedAt - sent).toMillis());

        assertRecovered(joined, BOUND);
        assertThat(offsets(replay)).as("replayed offsets").containsExactlyElementsOf(offsetsOf(missed));
        assertThat(dataOf(replay)).as("replayed data").containsExactlyElementsOf(dataOfPublished(missed));
        assertThat(again.isClosed()).as("the reader is still connected after a full replay").isFalse();

        List<Published> live = publishNumbered(publisher, room, "live", 0, 5);
        assertThat(offsets(again.awaitAll(Frames.message(room), 5, REPLAY_TIMEOUT, "live messages")))
                .containsExactlyElementsOf(offsetsOf(live));
        again.assertNoFrame(Frames.message(room), Duration.ofMillis(300));
        assertStrictlyIncreasing("replay and live", offsets(messagesReceived(again, room)));
        assertThat(messagesReceived(again, room)).hasSize(BOUND + 5);
    }

    @Test
    void theSameThousandAreReplayedOnEveryNodeAgainAndAgain() {
        String room = Cluster.unique("resume-1000-again");
        TestClient publisher = cluster.connect(A, "pub-" + room, "Pub");
        String start = publisher.join(room).path("offset").asText();
        List<Published> missed = publishNumbered(publisher, room, "m", 0, BOUND);

        List<Long> millis = new ArrayList<>();
        for (int node : new int[] {C, B, C}) {
            TestClient reader = cluster.connect(node, Cluster.unique("reader-" + room), "Reader");
            long sent = System.nanoTime();
            reader.send(Json.obj("type", "join", "id", "resume", "room", room, "since", start));
            JsonNode joined = reader.await(Frames.id(id("resume")), REPLAY_TIMEOUT, "joined");
            List<JsonNode> replay = reader.awaitAll(Frames.message(room), BOUND, REPLAY_TIMEOUT, "the replay");
            millis.add(Duration.ofNanos(System.nanoTime() - sent).toMillis());
            assertRecovered(joined, BOUND);
            assertThat(offsets(replay)).containsExactlyElementsOf(offsetsOf(missed));
            reader.close();
        }
        System.out.printf("ResumeReplayBoundIT: repeated replays of %d messages (nodes c, b, c): %s ms%n", BOUND,
                millis);
    }

    @Test
    void oneMoreThanAThousandMissedIsNotRecovered() {
        String room = Cluster.unique("resume-1001");
        String reader = "reader-" + room;
        TestClient publisher = member(C, "pub-" + room, room);
        TestClient first = member(A, reader, room);
        publishNumbered(publisher, room, "before", 0, 1);
        String last = first.await(Frames.message(room)).path("offset").asText();
        first.close();
        publishNumbered(publisher, room, "m", 0, BOUND + 1);

        TestClient again = cluster.connect(B, reader, "Reader");
        JsonNode joined = again.request(Json.obj("type", "join", "id", "resume", "room", room, "since", last),
                REPLAY_TIMEOUT);
        again.expectType(joined, "joined");
        assertNotRecovered(joined);

        Published marker = publishNumbered(publisher, room, "live", 0, 1).get(0);
        JsonNode firstMessage = again.await(Frames.message(room));
        assertThat(firstMessage.path("offset").asText()).as("nothing replayed, live goes on: %s", firstMessage)
                .isEqualTo(marker.offset());
        assertThat(joined.path("offset").asText()).as("joined.offset: the newest before the marker")
                .isNotEqualTo(marker.offset());
    }

    private static TestClient member(int node, String user, String room) {
        TestClient client = cluster.connect(node, user, user);
        client.join(room);
        return client;
    }
}
