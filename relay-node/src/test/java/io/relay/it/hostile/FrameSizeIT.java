package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.HostileSocket;
import io.relay.testing.HostileSocket.Close;
import io.relay.testing.HostileSocket.Written;
import io.relay.testing.NodeProcess;
import io.relay.testing.ProcessCluster;
import io.relay.testing.TestClient;
import io.relay.testing.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, frame size: {@code RELAY_MAX_FRAME_BYTES} (default 64 KiB) is enforced while reading, a
 * fragmented message counted as a whole, and the node closes with 1009 without buffering what the
 * client goes on sending (deviation in docs/protocol.md: no {@code too_large} frame first).
 * permessage-deflate is not negotiated, so a compressed frame (a deflate bomb) is refused unread.
 */
class FrameSizeIT {
    private static final int LIMIT = 65_536;
    private static final long TEN_MB = 10L * 1024 * 1024;
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(10);
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);
    /** Ten megabytes sent five times must not cost anything like 50 MB of resident memory. */
    private static final long MAX_RSS_GROWTH_KB = 20 * 1024;

    private static Cluster cluster;

    @RegisterExtension
    final ProcessCluster processes = new ProcessCluster();

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1);
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
    void exactly64KiBIsAcceptedAndOneByteMoreIsClosedWith1009() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String room = Cluster.unique("edge");
            TestClient member = cluster.connect(0, "member-" + room, "Member");
            member.join(room);
            try (HostileSocket client = open(cluster.wsBase(0), "edge-" + room)) {
                join(client, room);

                String exact = publishOfBytes(room, "exact", LIMIT);
                client.sendText(exact);
                client.await(Frames.type("ack"), Duration.ofSeconds(5), "the ack of a publish of exactly 64 KiB");
                member.await(Frames.message(room), Duration.ofSeconds(5), "the 64 KiB message");

                // the same limit holds for a message in fragments: 64 KiB in 4 parts is fine ...
                client.sendRaw(fragments(publishOfBytes(room, "exact-in-parts", LIMIT), 4));
                client.await(Frames.type("ack"), Duration.ofSeconds(5), "the ack of 64 KiB in four fragments");
                member.await(Frames.message(room), Duration.ofSeconds(5), "the 64 KiB message in parts");

                client.sendText(publishOfBytes(room, "over", LIMIT + 1));
                assertClosed1009(client, "a frame of 64 KiB + 1");
            }
            // ... and 64 KiB + 1 in 7 small parts is too much
            try (HostileSocket client = open(cluster.wsBase(0), "parts-" + room)) {
                join(client, room);
                client.sendRaw(fragments(publishOfBytes(room, "over-in-parts", LIMIT + 1), 7));
                assertClosed1009(client, "64 KiB + 1 in seven fragments of about 9 KiB");
            }
            member.assertNoFrame(Frames.message(room), Duration.ofMillis(300));
            System.out.println("FrameSizeIT 64 KiB edge: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void aTenMegabyteFrameIsClosedWith1009() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String room = Cluster.unique("huge");
            try (HostileSocket client = open(cluster.wsBase(0), "huge-" + room)) {
                join(client, room);
                long start = System.nanoTime();
                Written written = client.streamFrame(HostileSocket.OP_TEXT, TEN_MB, prefix(room), (byte) 'a',
                        Duration.ofSeconds(20));
                Close close = assertClosed1009(client, "a 10 MB text frame");
                System.out.printf("FrameSizeIT 10 MB frame: %s after %d ms, %d of %d bytes written (%s)%n",
                        close.code(), (close.atNanos() - start) / 1_000_000, written.bytes(), TEN_MB,
                        written.completed() ? "all" : written.failure());
            }
            System.out.println("FrameSizeIT 10 MB frame: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void aThousandFragmentsOf10KbAreClosedWith1009() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String room = Cluster.unique("fragments");
            try (HostileSocket client = open(cluster.wsBase(0), "fragments-" + room)) {
                join(client, room);
                Written written = client.streamFragments(HostileSocket.OP_TEXT, 1_000, 10_240, prefix(room),
                        (byte) 'a', Duration.ofSeconds(20));
                assertClosed1009(client, "a text message of 1,000 fragments of 10 KB");
                System.out.printf("FrameSizeIT 1,000 fragments: %d of %d bytes written (%s)%n", written.bytes(),
                        1_000L * 10_240, written.completed() ? "all" : written.failure());
            }
            System.out.println("FrameSizeIT fragments: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    /**
     * The node as a child JVM, so its resident memory is its own: 5 attempts of 10 MB each (3 whole
     * frames, 2 of 1,000 fragments) after 2 warm-up attempts.
     */
    @Test
    void tenMegabyteFramesDoNotGrowTheNodesMemory() {
        NodeProcess node = processes.startNodes("frames", 1, Map.of()).get(0);
        try (HostileBystander bystander = HostileBystander.on(node)) {
            int mark = bystander.mark();
            for (int i = 0; i < 2; i++) {
                sendTenMegabytes(node, "warm-up-" + i, i % 2 == 0);
            }
            long before = rssKb(node.pid());
            long peak = before;
            for (int i = 0; i < 5; i++) {
                sendTenMegabytes(node, "attempt-" + i, i % 2 == 0);
                peak = Math.max(peak, rssKb(node.pid()));
            }
            long after = rssKb(node.pid());
            System.out.printf("FrameSizeIT node RSS: %d KB before, %d KB after 5 x 10 MB (peak %d KB): %+d KB%n",
                    before, after, peak, after - before);
            assertThat(peak - before).as("growth of the node's resident memory (KB) over 5 attempts of 10 MB, "
                    + "from %d KB", before).isLessThan(MAX_RSS_GROWTH_KB);
            System.out.println("FrameSizeIT RSS: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void permessageDeflateIsNotNegotiatedSoADeflateBombIsRefusedUnread() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String user = Cluster.unique("deflater");
            try (HostileSocket client = HostileSocket.to(cluster.wsBase(0)).label(user).token(cluster.token(user, "D"))
                    .header("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits").open()) {
                assertThat(client.response().headers()).as("upgrade response %s", client.response())
                        .doesNotContainKey("sec-websocket-extensions");
                client.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome");

                byte[] bomb = deflate(TEN_MB);
                assertThat(bomb.length).as("compressed size of 10 MB").isLessThan(LIMIT);
                client.sendFrame(true, HostileSocket.RSV1, HostileSocket.OP_TEXT, bomb);
                Close close = client.awaitClose(CLOSED_WITHIN);
                assertThat(close.code()).as("close of a compressed frame without the extension: %s", close)
                        .isEqualTo(1002);
            }
            System.out.println("FrameSizeIT deflate: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void sendTenMegabytes(NodeProcess node, String label, boolean whole) {
        Tokens tokens = new Tokens(NodeProcess.SECRET);
        String user = Cluster.unique("big-" + label);
        try (HostileSocket client = HostileSocket.to(node.wsBase()).label(user).token(tokens.mint(user, "B")).open()) {
            client.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome");
            byte[] prefix = prefix("r");
            if (whole) {
                client.streamFrame(HostileSocket.OP_TEXT, TEN_MB, prefix, (byte) 'a', Duration.ofSeconds(20));
            } else {
                client.streamFragments(HostileSocket.OP_TEXT, 1_000, 10_486, prefix, (byte) 'a', Duration.ofSeconds(20));
            }
            assertClosed1009(client, label + (whole ? ": one 10 MB frame" : ": 10 MB in 1,000 fragments"));
        }
    }

    private static HostileSocket open(URI base, String user) {
        HostileSocket client = HostileSocket.to(base).label(user).token(cluster.token(user, "Big")).open();
        client.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome");
        return client;
    }

    private static void join(HostileSocket client, String room) {
        client.sendText("{\"type\":\"join\",\"id\":\"j\",\"room\":\"" + room + "\"}");
        client.await(Frames.type("joined"), Duration.ofSeconds(5), "joined " + room);
    }

    private static Close assertClosed1009(HostileSocket client, String what) {
        Close close = client.awaitClose(CLOSED_WITHIN);
        assertThat(close.code()).as("close after %s: %s", what, close).isEqualTo(1009);
        for (JsonNode f : client.received()) {
            if (Frames.type("error").test(f)) {
                assertThat(f.path("code").asText()).as("the only error may be too_large: %s", f).isEqualTo("too_large");
            }
        }
        return close;
    }

    /** A publish frame of exactly {@code bytes} UTF-8 bytes, padded in its data string. */
    private static String publishOfBytes(String room, String id, int bytes) {
        String head = "{\"type\":\"publish\",\"id\":\"" + id + "\",\"room\":\"" + room + "\",\"data\":\"";
        String tail = "\"}";
        String frame = head + "x".repeat(bytes - head.length() - tail.length()) + tail;
        assertThat(frame.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return frame;
    }

    /** {@code text} as {@code parts} masked frames: text, continuations, FIN on the last. */
    private static byte[] fragments(String text, int parts) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + parts * 14);
        int size = (bytes.length + parts - 1) / parts;
        for (int i = 0; i < parts; i++) {
            byte[] part = Arrays.copyOfRange(bytes, Math.min(bytes.length, i * size),
                    Math.min(bytes.length, (i + 1) * size));
            out.writeBytes(HostileSocket.frame(i == parts - 1, 0,
                    i == 0 ? HostileSocket.OP_TEXT : HostileSocket.OP_CONTINUATION, part));
        }
        return out.toByteArray();
    }

    private static byte[] prefix(String room) {
        return ("{\"type\":\"publish\",\"id\":\"big\",\"room\":\"" + room + "\",\"data\":\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** {@code size} bytes of JSON text, raw-deflated as permessage-deflate would send them. */
    private static byte[] deflate(long size) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) ' ');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (long fed = 0; fed < size; fed += chunk.length) {
            deflater.setInput(chunk);
            while (!deflater.needsInput()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    /** VmRSS of a process, in KB, from {@code /proc/<pid>/status}. */
    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/" + pid + "/status: " + e, e);
        }
        throw new AssertionError("no VmRSS in /proc/" + pid + "/status");
    }
}
