package io.relay.it.resume;

import static io.relay.testing.ResumeSupport.after;
import static io.relay.testing.ResumeSupport.assertRecovered;
import static io.relay.testing.ResumeSupport.assertStrictlyIncreasing;
import static io.relay.testing.ResumeSupport.dataOf;
import static io.relay.testing.ResumeSupport.dataOfPublished;
import static io.relay.testing.ResumeSupport.historyAfter;
import static io.relay.testing.ResumeSupport.joinSince;
import static io.relay.testing.ResumeSupport.messagesReceived;
import static io.relay.testing.ResumeSupport.offsets;
import static io.relay.testing.ResumeSupport.offsetsOf;
import static io.relay.testing.ResumeSupport.publishInTurns;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Poll;
import io.relay.testing.RedisKeys;
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
 * Issue 5, "Resume on any node": a reader leaves one node, messages go on through others, and the
 * reader comes back on another node with {@code since} (PROTOCOL.md, Resuming after a reconnect).
 * It must get exactly what it missed, in order, as the publishers' acks and the room's
 * {@code history} record it, then live messages, with no gap and no duplicate.
 */
class ResumeOnAnotherNodeIT {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(15);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        // publishes come in bursts of a hundred; the rate limit is another test's subject
        cluster = Cluster.start(3, b -> b.rate(10_000).burst(10_000));
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
    void aReaderWhoLeftNodeAResumesOnNodeCWithTheHundredMessagesPublishedThroughBAndC() {
        String room = Cluster.unique("resume-hop");
        String reader = "reader-" + room;
        List<TestClient> publishers = List.of(member(B, "pubB-" + room, room), member(C, "pubC-" + room, room));
        TestClient onA = cluster.connect(A, reader, "Reader");
        String start = onA.join(room).path("offset").asText();
        List<Published> before = publishInTurns(publishers, room, "before", 5);
        List<JsonNode> seen = onA.awaitAll(Frames.message(room), 5, TestClient.DEFAULT_TIMEOUT, "the first messages");
        assertThat(offsets(seen)).as("what the reader saw on node A").containsExactlyElementsOf(offsetsOf(before));
        String last = seen.get(4).path("offset").asText();
        onA.close();

        List<Published> missed = publishInTurns(publishers, room, "missed", 100);
        TestClient onC = cluster.connect(C, reader, "Reader");
        JsonNode joined = joinSince(onC, room, last);

        assertRecovered(joined, 100);
        assertThat(joined.path("offset").asText()).as("joined.offset is the room's newest offset")
                .isEqualTo(missed.get(99).offset());
        List<JsonNode> replay = onC.awaitAll(Frames.message(room), 100, REPLAY_TIMEOUT, "the missed messages");
        assertThat(offsets(replay)).as("replayed offsets = the publishers' acks, in order")
                .containsExactlyElementsOf(offsetsOf(missed));
        assertThat(dataOf(replay)).as("replayed data").containsExactlyElementsOf(dataOfPublished(missed));
        for (int i = 0; i < replay.size(); i++) {
            assertThat(replay.get(i).path("from").path("id").asText()).as("sender of replayed message %d", i)
                    .isEqualTo(i % 2 == 0 ? "pubB-" + room : "pubC-" + room);
        }
        assertThat(replay).as("the replay is the room's history after the reader's offset, frame for frame")
                .containsExactlyElementsOf(historyAfter(publishers.get(0), room, last, 100));
        assertThat(after(onC.received(), joined).stream().filter(Frames.message(room)).toList())
                .as("the missed messages come right after joined, nothing else in between").isEqualTo(replay);

        List<Published> live = publishInTurns(publishers, room, "live", 10);
        List<JsonNode> liveSeen = onC.awaitAll(Frames.message(room), 10, REPLAY_TIMEOUT, "the live messages");
        assertThat(offsets(liveSeen)).as("live offsets after the replay").containsExactlyElementsOf(offsetsOf(live));
        onC.assertNoFrame(Frames.message(room), Duration.ofMillis(300));

        List<JsonNode> everything = new ArrayList<>(seen);
        everything.addAll(messagesReceived(onC, room));
        assertStrictlyIncreasing("all the reader saw, on A then on C", offsets(everything));
        assertThat(everything).as("on A and then on C the reader saw the room's whole history, once")
                .containsExactlyElementsOf(historyAfter(publishers.get(0), room, start, 1_000));
    }

    @Test
    void aReaderHoppingAcrossEveryNodeInTurnMissesNothingAndSeesNothingTwice() {
        String room = Cluster.unique("resume-tour");
        String reader = "reader-" + room;
        List<TestClient> publishers = List.of(member(B, "pubB-" + room, room), member(C, "pubC-" + room, room));
        int[] tour = {A, B, C, A, C, B};
        TestClient client = cluster.connect(tour[0], reader, "Reader");
        String start = client.join(room).path("offset").asText();
        List<JsonNode> everything = new ArrayList<>();
        List<Published> published = new ArrayList<>();
        for (int stop = 0; stop < tour.length; stop++) {
            published.addAll(publishInTurns(publishers, room, "live" + stop + "-", 3));
            everything.addAll(client.awaitAll(Frames.message(room), 3, REPLAY_TIMEOUT, "live messages at stop " + stop));
            String since = everything.get(everything.size() - 1).path("offset").asText();
            client.close();
            if (stop + 1 == tour.length) {
                break;
            }
            List<Published> missed = publishInTurns(publishers, room, "missed" + stop + "-", 7 + stop);
            published.addAll(missed);
            client = cluster.connect(tour[stop + 1], reader, "Reader");
            assertRecovered(joinSince(client, room, since), missed.size());
            everything.addAll(client.awaitAll(Frames.message(room), missed.size(), REPLAY_TIMEOUT,
                    "the messages missed before stop " + (stop + 1)));
        }

        assertThat(offsets(everything)).as("offsets the reader saw on its tour A, B, C, A, C, B")
                .containsExactlyElementsOf(offsetsOf(published));
        assertThat(dataOf(everything)).containsExactlyElementsOf(dataOfPublished(published));
        assertThat(everything).containsExactlyElementsOf(historyAfter(publishers.get(0), room, start, 1_000));
    }

    @Test
    void resumingOnANodeThatNoLongerHoldsTheRoomStillReplaysThenDeliversLive() {
        String room = Cluster.unique("resume-cold");
        String reader = "reader-" + room;
        List<TestClient> publishers = List.of(member(B, "pubB-" + room, room), member(C, "pubC-" + room, room));
        TestClient first = cluster.connect(A, reader, "Reader");
        first.join(room);
        publishInTurns(publishers, room, "before", 2);
        String last = first.awaitAll(Frames.message(room), 2, REPLAY_TIMEOUT, "messages").get(1).path("offset")
                .asText();
        first.close();
        // node A had no one else in the room: once its unsubscribe delay is over it drops the channel
        Poll.until(Duration.ofSeconds(10), () -> cluster.numsub(RedisKeys.roomChannel(room)), n -> n == 2,
                "node A to unsubscribe from " + RedisKeys.roomChannel(room));

        List<Published> missed = publishInTurns(publishers, room, "missed", 20);
        TestClient again = cluster.connect(A, reader, "Reader");
        assertRecovered(joinSince(again, room, last), 20);
        List<Published> live = publishInTurns(publishers, room, "live", 5);

        List<JsonNode> seen = again.awaitAll(Frames.message(room), 25, REPLAY_TIMEOUT, "replay and live messages");
        List<Published> expected = new ArrayList<>(missed);
        expected.addAll(live);
        assertThat(offsets(seen)).as("replay, then live, on a node that had to subscribe again")
                .containsExactlyElementsOf(offsetsOf(expected));
        again.assertNoFrame(Frames.message(room), Duration.ofMillis(300));
    }

    private static TestClient member(int node, String user, String room) {
        TestClient client = cluster.connect(node, user, user);
        client.join(room);
        return client;
    }
}
