package io.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Poll;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    private final List<Client> clients = new ArrayList<>();
    private Undertow server;
    private URI uri;

    @BeforeEach
    void start() {
        server = Undertow.builder().setIoThreads(1).addHttpListener(0, "127.0.0.1")
                .setHandler(Handlers.websocket((exchange, channel) -> {
                    channel.resumeReceives(); // Undertow answers pings and closes
                    accepted.add(channel);
                })).build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        uri = URI.create("ws://127.0.0.1:" + port + "/");
    }

    @AfterEach
    void stop() {
        clients.forEach(Client::abort);
        server.stop();
    }

    @Test
    void framesSentInOneTaskOnTheIoThreadArriveInOrderOnceTheTaskEnds() throws Exception {
        Client client = connect();
        WebSocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);
        boolean[] heldDuringTask = new boolean[1];

        onIoThread(channel, () -> {
            for (int i = 0; i < 100; i++) {
                send(channel, "m" + i);
            }
            heldDuringTask[0] = channel.isRequireExplicitFlush();
        });

        client.awaitCount(100);
        assertThat(heldDuringTask[0]).as("the frames waited for the end of the task").isTrue();
        assertThat(client.texts).isEqualTo(numbered("m", 100));
        assertThat(channel.isRequireExplicitFlush()).as("the channel is back to writing at once").isFalse();
    }

    @Test
    void framesSentFromAnotherThreadAfterABatchStillLeave() throws Exception {
        Client client = connect();
        WebSocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);
        onIoThread(channel, () -> send(channel, "batched"));
        client.awaitCount(1);

        send(channel, "direct"); // from the test thread: not held, Undertow flushes it itself

        client.awaitCount(2);
        assertThat(client.texts).containsExactly("batched", "direct");
    }

    @Test
    void oneBatchWritesEveryClientItHoldsEvenWhenOneOfThemIsGone() throws Exception {
        Client gone = connect();
        WebSocketChannel goneChannel = accepted.poll(10, TimeUnit.SECONDS);
        Client staying = connect();
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

        staying.awaitCount(20);
        assertThat(staying.texts).isEqualTo(numbered("s", 20));
        Poll.until(WAIT, () -> gone.closed.isDone(), "the closed client sees its connection end");
    }

    @Test
    void aCloseSentAfterHeldFramesArrivesAfterThem() throws Exception {
        Client client = connect();
        WebSocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);

        onIoThread(channel, () -> {
            for (int i = 0; i < 5; i++) {
                send(channel, "m" + i);
            }
            WebSockets.sendClose(4001, "bye", channel, null);
        });

        assertThat(client.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4001);
        assertThat(client.texts).isEqualTo(numbered("m", 5));
    }

    @Test
    void aFrameUndertowSendsWithoutHoldingWhileTheChannelIsHeldLeavesWithTheBatch() throws Exception {
        Client client = connect();
        WebSocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);

        onIoThread(channel, () -> {
            send(channel, "m0");
            WebSockets.sendPong(ByteBuffer.wrap(new byte[] {7}), channel, null); // as Undertow answers a ping
            send(channel, "m1");
        });

        client.awaitCount(2);
        Poll.until(WAIT, () -> client.pongs.size() == 1, "the pong sent inside the batch arrives");
        assertThat(client.texts).containsExactly("m0", "m1");
    }

    private static void send(WebSocketChannel channel, String text) {
        DeferredFlush.hold(channel);
        WebSockets.sendText(text, channel, null);
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

    private static List<String> numbered(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private Client connect() throws Exception {
        Client client = new Client();
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri, client).get(10, TimeUnit.SECONDS);
        clients.add(client);
        return client;
    }

    /** A JDK WebSocket client recording the text frames, pongs and close code it gets. */
    private static final class Client implements WebSocket.Listener {
        final List<String> texts = Collections.synchronizedList(new ArrayList<>());
        final List<Object> pongs = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket;

        void awaitCount(int count) {
            Poll.until(WAIT, () -> texts.size() >= count, count + " text frames (have " + texts + ")");
        }

        void abort() {
            if (socket != null) {
                socket.abort();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            texts.add(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pongs.add(message);
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
