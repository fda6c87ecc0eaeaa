package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.HostileFrames;
import io.relay.testing.HostileSocket;
import io.relay.testing.HostileSocket.Close;
import io.relay.testing.LogCapture;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, fuzzing the frame codec over the wire: thousands of random and mutated client frames on
 * one connection are each answered within the protocol (a reply or one of its client-caused error
 * codes, never {@code internal}, never a logged exception), the connection stays open and a ping
 * after each batch is answered (no hang). Random WebSocket frames (any opcode, bits, mask, payload)
 * each end in an answer or a close frame with a WebSocket close code, never in silence. The seeds
 * are fixed and printed, so a failure can be replayed.
 */
class FrameFuzzIT {
    private static final long SEED = 0x5EED_0006L;
    private static final int CASES = 3_000;
    private static final int BATCH = 50;
    private static final int RAW_CASES = 150;
    private static final Set<String> CLIENT_ERRORS = Set.of("bad_request", "unknown_type", "invalid_room",
            "unauthorized", "forbidden", "not_member", "recipient_offline");
    private static final Set<String> SERVER_TYPES = Set.of("welcome", "joined", "left", "ack", "message", "presence",
            "history", "refreshed", "pong", "error", "direct", "gap");
    private static final Set<Integer> WS_CLOSES = Set.of(1000, 1002, 1003, 1007, 1008, 1009);
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1, b -> b.rate(1_000_000).burst(1_000_000));
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
    void randomAndMutatedFramesGetOnlyProtocolAnswers() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0);
             LogCapture log = LogCapture.of("io.relay")) {
            int mark = bystander.mark();
            String user = Cluster.unique("fuzzer");
            TestClient client = cluster.connect(0, user, "Fuzzer");
            HostileFrames fuzzer = new HostileFrames(new Random(SEED), user);
            List<String> sent = new ArrayList<>();
            for (int batch = 0; batch * BATCH < CASES; batch++) {
                for (int i = 0; i < BATCH; i++) {
                    String frame = fuzzer.next();
                    sent.add(frame);
                    client.send(frame);
                    client.send("{\"type\":\"ping\",\"id\":\"fz-" + batch + "-" + i + "\"}");
                }
                for (int i = 0; i < BATCH; i++) {
                    String id = "fz-" + batch + "-" + i;
                    client.await(f -> Frames.type("pong").test(f) && id.equals(f.path("id").asText()),
                            Duration.ofSeconds(10), "the pong " + id + " after fuzz case " + (batch * BATCH + i)
                                    + ": " + sent.get(batch * BATCH + i));
                }
            }
            List<JsonNode> received = client.received();
            int errors = 0;
            for (JsonNode f : received) {
                assertThat(f.isObject()).as("a server frame: %s", f).isTrue();
                assertThat(SERVER_TYPES).as("type of %s", f).contains(f.path("type").asText());
                if (Frames.type("error").test(f)) {
                    errors++;
                    assertThat(CLIENT_ERRORS).as("error code of %s", f).contains(f.path("code").asText());
                    assertThat(f.path("message").asText()).as("message of %s", f).isNotBlank();
                }
            }
            assertThat(client.isClosed()).as("the fuzzed connection was closed").isFalse();
            assertThat(log.lines()).as("node log lines with a stack trace").noneMatch(line -> line.contains("\tat "));
            System.out.printf("FrameFuzzIT: %d fuzz frames (seed %x), %d replies of which %d errors; bystanders %s%n",
                    sent.size(), SEED, received.size(), errors, bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void randomWebSocketFramesEndInAnAnswerOrAClose() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            Random random = new Random(SEED + 1);
            int answered = 0;
            int closed = 0;
            for (int c = 0; c < RAW_CASES; c++) {
                String user = Cluster.unique("raw-fuzzer");
                try (HostileSocket client = HostileSocket.to(cluster.wsBase(0)).label(user)
                        .token(cluster.token(user, "R")).open()) {
                    client.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome");
                    int opcode = random.nextInt(16);
                    boolean fin = random.nextInt(4) != 0;
                    int rsv = random.nextInt(4) == 0 ? (random.nextInt(7) + 1) << 4 : 0;
                    byte[] payload = new byte[random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(40)];
                    random.nextBytes(payload);
                    String what = String.format("case %d: opcode %x fin %s rsv %x, %d bytes", c, opcode, fin, rsv,
                            payload.length);
                    client.sendFrame(fin, rsv, opcode, payload);
                    client.sendText("{\"type\":\"ping\",\"id\":\"after\"}");
                    JsonNode pong = client.awaitOrEnd(f -> Frames.type("pong").test(f)
                            && "after".equals(f.path("id").asText()), Duration.ofSeconds(5), "the pong after " + what);
                    if (pong != null) {
                        answered++;
                        continue;
                    }
                    Close close = client.awaitClose(Duration.ofSeconds(1));
                    assertThat(close.byFrame()).as("%s: the node closes with a close frame, not silence: %s", what, close)
                            .isTrue();
                    if (opcode != HostileSocket.OP_CLOSE) {
                        assertThat(WS_CLOSES).as("%s: close code of %s", what, close).contains(close.code());
                    }
                    closed++;
                }
            }
            System.out.printf("FrameFuzzIT raw: %d random frames (seed %x): %d answered, %d closed; bystanders %s%n",
                    RAW_CASES, SEED + 1, answered, closed, bystander.finish(mark, BYSTANDER_P99));
        }
    }
}
