package io.relay.it.resume;

import static io.relay.testing.ResumeSupport.assertStrictlyIncreasing;
import static io.relay.testing.ResumeSupport.epoch;
import static io.relay.testing.ResumeSupport.historyAfter;
import static io.relay.testing.ResumeSupport.joinSince;
import static io.relay.testing.ResumeSupport.messagesReceived;
import static io.relay.testing.ResumeSupport.offsets;
import static io.relay.testing.ResumeSupport.seq;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Poll;
import io.relay.testing.ResumePublisher;
import io.relay.testing.ResumeSupport.Published;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5 under load: a reader disconnects and resumes on another node while three publishers, one
 * per node, keep publishing to the room. Whatever the timing, the reader's messages (on the first
 * connection, then replay and live on the second) must be the room's history for that range: no
 * gap, no duplicate, one epoch, strictly increasing sequence numbers. The scenario runs many times
 * in a row, each in a fresh room, with random timing; the seed is in every failure message.
 */
class ResumeUnderTrafficIT {
    private static final int ITERATIONS = 25;
    /** Live messages the resumed reader must get after its replay before the publishers stop. */
    private static final int LIVE_AFTER_RESUME = 30;
    /** Per publisher and run: bounds a run whose reader stalls. Three of them stay inside the history size. */
    private static final int PUBLISH_LIMIT = 3_000;
    private static final int HISTORY_SIZE = 20_000;
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static Cluster cluster;

    /** What one run saw, for the summary. */
    private record Run(int missed, int live, int published) {
    }

    @BeforeAll
    static void startCluster() {
        // history large enough to compare a whole run with it; publishers are as fast as acks come back
        cluster = Cluster.start(3, b -> b.historySize(HISTORY_SIZE).rate(100_000).burst(100_000));
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
    @Timeout(150)
    void resumingWhilePublishersOnEveryNodeKeepGoingNeverLosesOrRepeatsAMessage() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Run> runs = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            runs.add(runOnce(i, random, "seed " + seed + ", run " + i));
            cluster.closeClients();
        }
        System.out.printf("ResumeUnderTrafficIT: %d runs in %d ms (seed %d); missed per run %s; live after"
                        + " resume %s; published per run %s%n", runs.size(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), seed,
                runs.stream().map(Run::missed).toList(), runs.stream().map(Run::live).toList(),
                runs.stream().map(Run::published).toList());
        assertThat(runs.stream().mapToInt(Run::missed).sum())
                .as("the readers missed messages while away, so the replay raced with live traffic").isPositive();
    }

    private Run runOnce(int iteration, Random random, String context) {
        String room = Cluster.unique("resume-storm");
        String reader = "reader-" + room;
        int firstNode = iteration % 3;
        int secondNode = (firstNode + 1 + (iteration / 3) % 2) % 3;
        List<TestClient> members = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
            TestClient member = cluster.connect(node, "pub" + node + "-" + room, "Pub" + node);
            member.join(room);
            members.add(member);
        }
        TestClient first = cluster.connect(firstNode, reader, "Reader");
        String start = first.join(room).path("offset").asText();
        List<ResumePublisher> publishers = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
            publishers.add(ResumePublisher.start(members.get(node), room, "p" + node + "-", PUBLISH_LIMIT));
        }
        String where = context + ", room " + room + ", node " + firstNode + " -> node " + secondNode;
        try {
            return resume(room, reader, secondNode, first, start, publishers, members.get(0), random, where);
        } finally {
            publishers.forEach(ResumePublisher::abandon);
        }
    }

    private Run resume(String room, String reader, int secondNode, TestClient first, String start,
                       List<ResumePublisher> publishers, TestClient auditor, Random random, String where) {
        int seenBeforeLeaving = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(40);
        Poll.until(WAIT, () -> messagesReceived(first, room).size() >= seenBeforeLeaving,
                "the reader to see " + seenBeforeLeaving + " messages before it leaves (" + where + ")");
        first.close();
        List<JsonNode> firstSeen = messagesReceived(first, room);
        String since = firstSeen.isEmpty() ? start : firstSeen.get(firstSeen.size() - 1).path("offset").asText();

        TestClient second = cluster.connect(secondNode, reader, "Reader");
        JsonNode joined = joinSince(second, room, since);
        assertThat(joined.path("recovered").asBoolean(false)).as("recovered, %s: %s", where, joined).isTrue();
        int missed = joined.path("missed").asInt(-1);
        Poll.until(WAIT, () -> messagesReceived(second, room).size() >= missed + LIVE_AFTER_RESUME,
                "the resumed reader to get its " + missed + " missed messages and " + LIVE_AFTER_RESUME
                        + " live ones (" + where + ")");

        List<Published> acked = stopAll(publishers);
        String top = acked.stream().max(Comparator.comparingLong(p -> seq(p.offset()))).orElseThrow().offset();
        Poll.until(WAIT, () -> offsets(messagesReceived(second, room)).contains(top),
                "the resumed reader to get the last message published, " + top + " (" + where + ")");
        second.ping(); // anything the node still had queued for the reader arrives before the pong
        List<JsonNode> secondSeen = messagesReceived(second, room);

        check(room, auditor, start, since, joined, firstSeen, secondSeen, acked, where);
        return new Run(missed, secondSeen.size() - missed, acked.size());
    }

    private void check(String room, TestClient auditor, String start, String since, JsonNode joined,
                       List<JsonNode> firstSeen, List<JsonNode> secondSeen, List<Published> acked, String where) {
        List<JsonNode> history = historyAfter(auditor, room, start, HISTORY_SIZE);
        List<JsonNode> seen = new ArrayList<>(firstSeen);
        seen.addAll(secondSeen);
        int missed = joined.path("missed").asInt();

        assertStrictlyIncreasing("what the reader saw (" + where + ")", offsets(seen));
        assertThat(offsets(seen)).as("offsets seen, first connection then replay and live (%s, since %s, %s)",
                where, since, joined).containsExactlyElementsOf(offsets(history));
        assertThat(seen).as("frames seen = the room's history (%s)", where).containsExactlyElementsOf(history);
        if (missed > 0) {
            assertThat(secondSeen.get(missed - 1).path("offset").asText())
                    .as("the replay ends at joined.offset (%s)", where).isEqualTo(joined.path("offset").asText());
        }
        assertThat(epoch(joined.path("offset").asText())).as("one epoch (%s)", where).isEqualTo(epoch(start));

        Map<String, JsonNode> sent = new HashMap<>();
        acked.forEach(p -> sent.put(p.offset(), p.data()));
        assertThat(sent.keySet()).as("every acked publish is in the history, nothing else is (%s)", where)
                .containsExactlyInAnyOrderElementsOf(offsets(history));
        for (JsonNode message : seen) {
            assertThat(message.path("data")).as("data of %s (%s)", message.path("offset"), where)
                    .isEqualTo(sent.get(message.path("offset").asText()));
        }
    }

    private static List<Published> stopAll(List<ResumePublisher> publishers) {
        List<Published> all = new ArrayList<>();
        for (ResumePublisher publisher : publishers) {
            all.addAll(publisher.stop());
        }
        return all;
    }
}
