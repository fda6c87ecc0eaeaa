package io.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Poll;
import io.relay.testing.RawWebSocket;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Frames held for the end of an I/O thread's tasks, against a real Undertow server and real sockets. */
class DeferredFlushTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final LinkedBlockingQueue<WebSocketChannel> accepted = new LinkedBlockingQueue<>();
    private final List<RawWebSocket> clients = new ArrayList<>();
    private Undertow server;
    private URI base;

    @BeforeEach
    void start() {
        server = Undertow.builder().setIoThreads(1).addHttpListener(0, "127.0.0.1")
                .setHandler(Handlers.websocket((exchange, channel) -> {
                    channel.resumeReceives(); // Undertow answers pings and closes
                    accepted.add(channel);
                })).build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        base = URI.create("ws://127.0.0.1:" + port);
    }

    @AfterEach
    void stop() {
        clients.forEach(RawWebSocket::close);
        server.stop();
    }

    @Test
    void framesSentInOneTaskOnTheIoThreadArriveInOrderOnceTheTaskEnds() throws Exception {
        RawWebSocket client = connect("client");
        WebSocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);
        boolean[] heldDuringTask = new boolean[1];

        onIoThread(channel, () -> {
            for (int i = 0; i < 100; i++) {
                send(channel, "m" + i);
            }
            heldDuringTask[0] = channel.isRequireExplicitFlush();
        });

        awaitCount(client, 100);
        assertThat(heldDuringTask[0]).as("the frames waited for the end of the task").isTrue();
        assertThat(texts(client)).isEqualTo(numbered("m", 100));
        assertThat(channel.isRequireExplicitFlush()).as("the channel is back to writing at once").isFalse();
    }

    @Test
    void framesSentFromAnotherThreadAfterABatchStillLeave() throws Exception {
        RawWebSocket client = connect("client");
        WebSocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);
        onIoThread(channel, () -> send(channel, "batched"));
        awaitCount(client, 1);

        send(channel, "direct"); // from the test thread: not held, Undertow flushes it itself

        awaitCount(client, 2);
        assertThat(texts(client)).containsExactly("batched", "direct");
    }

    @Test
    void oneBatchWritesEveryClientItHoldsEvenWhenOneOfThemIsGone() throws Exception {
        RawWebSocket gone = connect("gone");
        WebSocketChannel goneChannel = accepted.poll(10, TimeUnit.SECONDS);
        RawWebSocket staying = connect("staying");
        WebSocketChannel stayingChannel = accepted.poll(10, TimeUnit.SECONDS);

        onIoThread(stayingChannel, () -> {
            for (int i = 0; i < 10; i++) {
                send(goneChannel, "g" + i);
                send(stayingChannel, "s" + i);
            }
            closeQuietly(goneChannel); // its socket ends inside the batch
            for (int i = 10; i < 20; i++) {
                send(stayingChannel, "s" + i);
            }
        });

        awaitCount(staying, 20);
        assertThat(texts(staying)).isEqualTo(numbered("s", 20));
        gone.awaitClose(WAIT); // the closed client sees its connection end
    }

    @Test
    void aCloseSentAfterHeldFramesArrivesAfterThem() throws Exception {
        RawWebSocket client = connect("client");
        WebSocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);

        onIoThread(channel, () -> {
            for (int i = 0; i < 5; i++) {
                send(channel, "m" + i);
            }
            WebSockets.sendClose(4001, "bye", channel, null);
        });

        assertThat(client.awaitClose(WAIT).code()).isEqualTo(4001);
        assertThat(texts(client)).isEqualTo(numbered("m", 5));
    }

    @Test
    void aFrameUndertowSendsWithoutHoldingWhileTheChannelIsHeldLeavesWithTheBatch() throws Exception {
        RawWebSocket client = connect("client");
        WebSocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);

        onIoThread(channel, () -> {
            send(channel, "m0");
            WebSockets.sendPong(ByteBuffer.wrap(new byte[] {7}), channel, null); // as Undertow answers a ping
            send(channel, "m1");
        });

        awaitCount(client, 2);
        Poll.until(WAIT, () -> client.pongsReceived() == 1, "the pong sent inside the batch arrives");
        assertThat(texts(client)).containsExactly("m0", "m1");
    }

    /** Sends {@code text} as a JSON string, so the test client reads it back as that text. */
    private static void send(WebSocketChannel channel, String text) {
        DeferredFlush.hold(channel);
        WebSockets.sendText("\"" + text + "\"", channel, null);
    }

    private static void closeQuietly(WebSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code task} as one task on the channel's I/O thread and waits for it to have run. */
    private static void onIoThread(WebSocketChannel channel, Runnable task) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.getIoThread().execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(10, TimeUnit.SECONDS);
    }

    private static void awaitCount(RawWebSocket client, int count) {
        Poll.until(WAIT, () -> client.received().size() >= count, count + " text frames on " + client);
    }

    private static List<String> texts(RawWebSocket client) {
        return client.received().stream().map(JsonNode::asText).toList();
    }

    private static List<String> numbered(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private RawWebSocket connect(String label) {
        RawWebSocket client = RawWebSocket.connect(base, "/", null, label);
        clients.add(client);
        return client;
    }
}
