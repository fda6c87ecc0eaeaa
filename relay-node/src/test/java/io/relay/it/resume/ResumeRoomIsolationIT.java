package io.relay.it.resume;

import static io.relay.testing.ResumeSupport.assertNotRecovered;
import static io.relay.testing.ResumeSupport.assertRecovered;
import static io.relay.testing.ResumeSupport.dataOf;
import static io.relay.testing.ResumeSupport.dataOfPublished;
import static io.relay.testing.ResumeSupport.epoch;
import static io.relay.testing.ResumeSupport.historyAfter;
import static io.relay.testing.ResumeSupport.historyKey;
import static io.relay.testing.ResumeSupport.historyNewest;
import static io.relay.testing.ResumeSupport.joinSince;
import static io.relay.testing.ResumeSupport.messagesReceived;
import static io.relay.testing.ResumeSupport.offsets;
import static io.relay.testing.ResumeSupport.offsetsOf;
import static io.relay.testing.ResumeSupport.publishNumbered;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
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
 * Each room has its own history and its own offsets: interleaved traffic in two rooms never shows
 * up in the other's {@code history} or replay, and an offset of one room recovers nothing in
 * another.
 */
class ResumeRoomIsolationIT {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final int EACH = 30;

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
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
    void interleavedPublishesInTwoRoomsStayInTheirOwnHistoryAndReplay() {
        String red = Cluster.unique("resume-red");
        String blue = Cluster.unique("resume-blue");
        String reader = "reader-" + red;
        TestClient onA = memberOfBoth(A, "pubA-" + red, red, blue);
        TestClient onB = memberOfBoth(B, "pubB-" + red, red, blue);
        TestClient first = cluster.connect(C, reader, "Reader");
        String redStart = first.join(red).path("offset").asText();
        String blueStart = first.join(blue).path("offset").asText();
        first.close();

        List<Published> redSent = new ArrayList<>();
        List<Published> blueSent = new ArrayList<>();
        for (int n = 0; n < EACH; n++) {
            TestClient one = n % 2 == 0 ? onA : onB;
            TestClient other = n % 2 == 0 ? onB : onA;
            redSent.addAll(publishNumbered(one, red, "red", n, n + 1));
            blueSent.addAll(publishNumbered(other, blue, "blue", n, n + 1));
        }
        assertThat(epoch(redSent.get(0).offset())).as("two rooms, two epochs")
                .isNotEqualTo(epoch(blueSent.get(0).offset()));

        assertOnlyOwn(red, historyAfter(onA, red, redStart, 500), redSent);
        assertOnlyOwn(blue, historyAfter(onB, blue, blueStart, 500), blueSent);
        assertOnlyOwn(red, historyNewest(onB, red, 500), redSent);
        assertThat(cluster.redis().commands().xlen(historyKey(red))).as("XLEN of red's history").isEqualTo(EACH);

        TestClient again = cluster.connect(A, reader, "Reader");
        assertRecovered(joinSince(again, red, redStart), EACH);
        assertRecovered(joinSince(again, blue, blueStart), EACH);
        again.awaitAll(Frames.anyMessage(), 2 * EACH, Duration.ofSeconds(10), "both replays");
        again.assertNoFrame(Frames.anyMessage(), Duration.ofMillis(300));
        assertOnlyOwn(red, messagesReceived(again, red), redSent);
        assertOnlyOwn(blue, messagesReceived(again, blue), blueSent);
    }

    @Test
    void anOffsetOfOneRoomRecoversNothingInAnother() {
        String red = Cluster.unique("resume-red");
        String blue = Cluster.unique("resume-blue");
        String quiet = Cluster.unique("resume-quiet");
        TestClient publisher = memberOfBoth(A, "pub-" + red, red, blue);
        publisher.join(quiet);
        List<Published> redSent = publishNumbered(publisher, red, "red", 0, 5);
        List<Published> blueSent = publishNumbered(publisher, blue, "blue", 0, 10);
        String redOffset = redSent.get(0).offset();

        TestClient reader = cluster.connect(B, "reader-" + red, "Reader");
        assertNotRecovered(joinSince(reader, blue, redOffset));
        assertNotRecovered(joinSince(reader, quiet, redOffset));
        Published marker = publishNumbered(publisher, blue, "marker", 0, 1).get(0);
        JsonNode firstMessage = reader.await(Frames.anyMessage());
        assertThat(firstMessage.path("offset").asText()).as("no replay in blue or quiet from red's offset: %s",
                firstMessage).isEqualTo(marker.offset());

        JsonNode pages = reader.call("type", "history", "room", blue, "since", redOffset, "limit", 500);
        reader.expectType(pages, "history");
        List<JsonNode> blueHistory = new ArrayList<>();
        pages.path("messages").forEach(blueHistory::add);
        List<Published> blueAll = new ArrayList<>(blueSent);
        blueAll.add(marker);
        assertOnlyOwn(blue, blueHistory, blueAll);
    }

    /** Fails unless {@code messages} are exactly {@code sent}, all of {@code room}, in order. */
    private static void assertOnlyOwn(String room, List<JsonNode> messages, List<Published> sent) {
        assertThat(messages).as("messages of %s", room)
                .allSatisfy(m -> assertThat(m.path("room").asText()).as("room of %s", m).isEqualTo(room));
        assertThat(offsets(messages)).as("offsets of %s", room).containsExactlyElementsOf(offsetsOf(sent));
        assertThat(dataOf(messages)).as("data of %s", room).containsExactlyElementsOf(dataOfPublished(sent));
    }

    private static TestClient memberOfBoth(int node, String user, String one, String other) {
        TestClient client = cluster.connect(node, user, user);
        client.join(one);
        client.join(other);
        return client;
    }
}
