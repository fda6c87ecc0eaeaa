package io.relay.it.resume;

import static io.relay.testing.ResumeSupport.assertNotRecovered;
import static io.relay.testing.ResumeSupport.assertRecovered;
import static io.relay.testing.ResumeSupport.epoch;
import static io.relay.testing.ResumeSupport.historyAfter;
import static io.relay.testing.ResumeSupport.historyKey;
import static io.relay.testing.ResumeSupport.joinSince;
import static io.relay.testing.ResumeSupport.metaKey;
import static io.relay.testing.ResumeSupport.offsets;
import static io.relay.testing.ResumeSupport.publishNumbered;
import static io.relay.testing.ResumeSupport.seq;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.ResumeSupport.Published;
import io.relay.testing.TestClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When a {@code since} cannot be honoured: its room's history was wiped (a new epoch), trimmed past
 * it, or it points into the future, a join answers {@code recovered:false} and replays nothing; a
 * {@code since} that is not an offset at all is {@code bad_request} and leaves the connection open
 * and out of the room. And where it can: exactly at the edge of the retained history.
 */
class ResumeOffsetValidityIT {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    /** Small, so trimming is easy to provoke (Redis trims approximately, in blocks of ~100 entries). */
    private static final int HISTORY_SIZE = 20;

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(3, b -> b.historySize(HISTORY_SIZE).rate(10_000).burst(10_000));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @AfterEach
    void closeClients() {
        cluster.closeClients();
    }

    @ParameterizedTest(name = "deleted {0}, published afterwards: {1}")
    @CsvSource({"history+meta, 0", "history+meta, 8", "meta, 0", "meta, 8", "history, 0", "history, 8"})
    void anOffsetFromBeforeTheRoomsHistoryWasWipedIsNotRecovered(String deleted, int publishedAfter) {
        String room = Cluster.unique("resume-wiped");
        String reader = "reader-" + room;
        TestClient publisher = member(A, "pub-" + room, room);
        TestClient first = member(B, reader, room);
        publishNumbered(publisher, room, "old", 0, 5);
        String old = first.awaitAll(Frames.message(room), 5, TestClient.DEFAULT_TIMEOUT, "messages").get(4)
                .path("offset").asText();
        first.close();

        // what an eviction or expiry does to a room: its history, its epoch, or both are gone
        List<String> keys = deleted.equals("history+meta") ? List.of(historyKey(room), metaKey(room))
                : List.of(deleted.equals("meta") ? metaKey(room) : historyKey(room));
        assertThat(cluster.redis().commands().del(keys.toArray(String[]::new))).as("keys deleted").isEqualTo(keys.size());
        // the new incarnation may already be further along than the old offset's sequence number
        List<Published> reborn = publishNumbered(publisher, room, "new", 0, publishedAfter);

        TestClient again = cluster.connect(A, reader, "Reader");
        JsonNode joined = joinSince(again, room, old);

        assertNotRecovered(joined);
        String now = joined.path("offset").asText();
        assertThat(epoch(now)).as("the room's new offset %s has another epoch than the old %s", now, old)
                .isNotEqualTo(epoch(old));
        if (publishedAfter > 0) {
            assertThat(now).as("joined.offset is the newest of the new epoch").isEqualTo(reborn.get(publishedAfter - 1)
                    .offset());
        }
        assertFirstMessageIsLive(publisher, again, room);
    }

    /**
     * A plain join (no {@code since}) of a wiped room must not hand out an offset of the old
     * incarnation either: its {@code joined} offset starts the new epoch, from which a later resume works.
     */
    @ParameterizedTest(name = "deleted {0}")
    @CsvSource({"history+meta", "meta", "history"})
    void aJoinOfARoomWhoseHistoryWasWipedStartsANewEpoch(String deleted) {
        String room = Cluster.unique("resume-wiped-join");
        TestClient publisher = member(A, "pub-" + room, room);
        String old = publishNumbered(publisher, room, "old", 0, 5).get(4).offset();
        List<String> keys = deleted.equals("history+meta") ? List.of(historyKey(room), metaKey(room))
                : List.of(deleted.equals("meta") ? metaKey(room) : historyKey(room));
        assertThat(cluster.redis().commands().del(keys.toArray(String[]::new))).as("keys deleted").isEqualTo(keys.size());

        TestClient reader = cluster.connect(B, "reader-" + room, "Reader");
        String start = reader.join(room).path("offset").asText();
        assertThat(epoch(start)).as("joined.offset %s after the old %s", start, old).isNotEqualTo(epoch(old));
        assertThat(seq(start)).as("the new epoch is empty: %s", start).isZero();

        String live = assertFirstMessageIsLive(publisher, reader, room);
        assertThat(epoch(live)).as("the next publish continues the joined epoch: %s", live).isEqualTo(epoch(start));
        reader.close();
        TestClient back = cluster.connect(C, "reader-" + room, "Reader");
        assertThat(joinSince(back, room, start).path("recovered").asBoolean())
                .as("resuming from the joined offset of the new epoch").isTrue();
    }

    @Test
    void anOffsetOlderThanTheRetainedHistoryIsNotRecoveredButTheOldestRetainedOneIs() {
        String room = Cluster.unique("resume-trimmed");
        TestClient publisher = member(A, "pub-" + room, room);
        List<Published> published = publishNumbered(publisher, room, "m", 0, 400);
        String epoch = epoch(published.get(0).offset());
        assertThat(firstRetainedSeq(room)).as("history is trimmed to about %d of 400 (XLEN %d)", HISTORY_SIZE,
                cluster.redis().commands().xlen(historyKey(room))).isGreaterThan(2);

        TestClient oldest = cluster.connect(B, "r1-" + room, "Reader");
        assertNotRecovered(joinSince(oldest, room, published.get(0).offset()));
        assertFirstMessageIsLive(publisher, oldest, room);

        // the newest message that is no longer retained
        TestClient justTrimmed = cluster.connect(C, "r2-" + room, "Reader");
        assertNotRecovered(joinSince(justTrimmed, room, epoch + ":" + (firstRetainedSeq(room) - 2)));
        String newest = assertFirstMessageIsLive(publisher, justTrimmed, room);

        // everything after this offset is still retained: the room can be recovered from it
        long firstRetained = firstRetainedSeq(room);
        String edge = epoch + ":" + (firstRetained - 1);
        int missed = (int) (seq(newest) - firstRetained + 1);
        TestClient atTheEdge = cluster.connect(B, "r3-" + room, "Reader");
        assertRecovered(joinSince(atTheEdge, room, edge), missed);
        List<JsonNode> replay = atTheEdge.awaitAll(Frames.message(room), missed, TestClient.DEFAULT_TIMEOUT,
                "the retained messages");
        assertThat(seq(replay.get(0).path("offset").asText())).as("the oldest retained message comes first")
                .isEqualTo(firstRetained);
        assertThat(replay).as("the replay is the retained history")
                .containsExactlyElementsOf(historyAfter(publisher, room, edge, 500));
        assertFirstMessageIsLive(publisher, atTheEdge, room);
    }

    @Test
    void aSinceThatIsNotAnOffsetIsABadRequestAndTheConnectionStaysOpenOutsideTheRoom() {
        String room = Cluster.unique("resume-malformed");
        TestClient publisher = member(A, "pub-" + room, room);
        String offset = publishNumbered(publisher, room, "m", 0, 1).get(0).offset();
        TestClient client = cluster.connect(B, "reader-" + room, "Reader");
        List<Object> malformed = List.of("nope", "abc:x", "a:-1", "x".repeat(300),
                epoch(offset) + ":" + "9".repeat(295), "", ":1", epoch(offset) + ":", offset + ":1",
                epoch(offset) + ":1.5", 7, Json.obj("epoch", epoch(offset)), List.of(offset));

        for (Object since : malformed) {
            String id = client.nextId();
            JsonNode reply = client.request(Json.obj("type", "join", "id", id, "room", room, "since", since));
            assertThat(reply.path("type").asText()).as("reply to since %s: %s", since, reply).isEqualTo("error");
            assertThat(reply.path("code").asText()).as("reply to since %s: %s", since, reply).isEqualTo("bad_request");
            assertThat(reply.path("id").asText()).as("the error echoes the join's id").isEqualTo(id);
        }

        client.ping();
        assertThat(client.isClosed()).as("connection still open").isFalse();
        JsonNode publish = client.call("type", "publish", "room", room, "data", "after bad joins");
        assertThat(publish.path("code").asText()).as("a refused join joined nothing: %s", publish)
                .isEqualTo("not_member");
        assertRecovered(joinSince(client, room, offset), 0);
    }

    @Test
    void anOffsetOfTheRightEpochButAheadOfTheRoomIsNotRecovered() {
        String room = Cluster.unique("resume-future");
        TestClient publisher = member(A, "pub-" + room, room);
        String newest = publishNumbered(publisher, room, "m", 0, 3).get(2).offset();
        String epoch = epoch(newest);

        for (String future : List.of(epoch + ":" + (seq(newest) + 1), epoch + ":" + (seq(newest) + 50),
                epoch + ":999999999999999999")) {
            TestClient client = cluster.connect(B, Cluster.unique("reader-" + room), "Reader");
            JsonNode joined = joinSince(client, room, future);
            assertNotRecovered(joined);
            assertThat(joined.path("offset").asText()).as("joined.offset for since %s", future).isEqualTo(newest);
            newest = assertFirstMessageIsLive(publisher, client, room);
        }
    }

    /**
     * Publishes one message and checks it is the first message {@code client} receives in
     * {@code room}: nothing was replayed after its join. Returns the new message's offset.
     */
    private static String assertFirstMessageIsLive(TestClient publisher, TestClient client, String room) {
        Published marker = publishNumbered(publisher, room, Cluster.unique("live"), 0, 1).get(0);
        JsonNode first = client.await(Frames.message(room));
        assertThat(first.path("offset").asText()).as("the first message after a join that recovered nothing: %s",
                first).isEqualTo(marker.offset());
        return marker.offset();
    }

    /** The sequence number of the oldest entry of the room's history stream (entry ids are {@code <seq>-0}). */
    private static long firstRetainedSeq(String room) {
        List<StreamMessage<String, String>> oldest = cluster.redis().commands()
                .xrange(historyKey(room), Range.create("-", "+"), Limit.from(1));
        assertThat(oldest).as("history of %s", room).isNotEmpty();
        String id = oldest.get(0).getId();
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    private static TestClient member(int node, String user, String room) {
        TestClient client = cluster.connect(node, user, user);
        client.join(room);
        return client;
    }
}
