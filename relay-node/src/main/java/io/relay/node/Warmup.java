package io.relay.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.relay.auth.TokenMinter;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.websockets.client.WebSocketClient;
import io.undertow.websockets.client.WebSocketClientNegotiation;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.XnioWorker;

/**
 * Runs the client path through the node's own port before it says ready: each round connects over
 * loopback, waits for {@code welcome}, joins the warm-up room, publishes one message, waits for the
 * {@code ack} and closes. A fresh JVM otherwise meets its first reconnect storm with the connect path
 * interpreted and its classes unloaded; after this the JIT has compiled it, and the code, classes and
 * heap it needs are already counted in the node's footprint (docs/benchmarks.md, "Warm-up").
 * <p>
 * Best effort: a failure or the time limit ends it early with a warning and the node serves anyway.
 * Each round is its own user, so no per-user connection limit refuses it.
 */
final class Warmup {
    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rounds under way at once: enough to overlap Redis round trips, few enough to stay a trickle. */
    private static final int IN_FLIGHT = 8;
    private static final Duration TIME_LIMIT = Duration.ofSeconds(60);
    private static final Duration TOKEN_TTL = Duration.ofMinutes(5);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final XnioWorker worker;
    private final URI uri;
    private final TokenMinter tokens;
    private final String room;
    private final String userPrefix;
    private final Set<WebSocketChannel> open = ConcurrentHashMap.newKeySet();
    /** Channels not closed yet, the closing ones too: they read with the buffer pool until they are. */
    private final Set<WebSocketChannel> alive = ConcurrentHashMap.newKeySet();

    /** {@code uri}: the node's own {@code ws://} endpoint; {@code nodeId} names the room and the users. */
    Warmup(XnioWorker worker, URI uri, TokenMinter tokens, String nodeId) {
        this.worker = worker;
        this.uri = uri;
        this.tokens = tokens;
        String id = "relay-warmup:" + nodeId;
        this.room = id.length() > 120 ? id.substring(0, 120) : id; // names are at most 128 characters
        this.userPrefix = room + ":";
    }

    /** Runs {@code rounds} rounds, {@link #IN_FLIGHT} at a time; blocks; returns how many completed. */
    int run(int rounds) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + TIME_LIMIT.toNanos();
        DefaultByteBufferPool buffers = new DefaultByteBufferPool(false, 4096);
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicInteger completed = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            for (int i = 0; i < rounds && failure.get() == null; i++) {
                if (!slots.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    break;
                }
                round(i, buffers).whenComplete((ok, e) -> {
                    if (e == null) {
                        completed.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, e);
                    }
                    slots.release();
                });
            }
            slots.tryAcquire(IN_FLIGHT, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } finally {
            open.forEach(IoUtils::safeClose); // rounds cut short by the time limit or a failure
            closeWhenAllClosed(buffers);
        }
        report(rounds, completed.get(), failure.get(), Duration.ofNanos(System.nanoTime() - started));
        return completed.get();
    }

    private CompletableFuture<Void> round(int i, DefaultByteBufferPool buffers) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        String token = tokens.mint(userPrefix + i, null, TOKEN_TTL);
        WebSocketClient.connectionBuilder(worker, buffers, uri)
                .setClientNegotiation(new WebSocketClientNegotiation(List.of(), List.of()) {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        headers.put("token", List.of(token));
                    }
                })
                .connect()
                .addNotifier(new IoFuture.HandlingNotifier<WebSocketChannel, Void>() {
                    @Override
                    public void handleDone(WebSocketChannel channel, Void ignored) {
                        converse(channel, done);
                    }

                    @Override
                    public void handleFailed(IOException e, Void ignored) {
                        done.completeExceptionally(e);
                    }

                    @Override
                    public void handleCancelled(Void ignored) {
                        done.completeExceptionally(new IOException("connect cancelled"));
                    }
                }, null);
        return done;
    }

    /** welcome → join; joined → publish; ack → close. Anything else the server sends is passed over. */
    private void converse(WebSocketChannel channel, CompletableFuture<Void> done) {
        open.add(channel);
        alive.add(channel);
        channel.getReceiveSetter().set(new AbstractReceiveListener() {
            @Override
            protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) throws IOException {
                String text = message.getData();
                switch (JSON.readTree(text).path("type").asText()) {
                    case "welcome" -> WebSockets.sendText("{\"type\":\"join\",\"id\":1,\"room\":\"" + room + "\"}", ch, null);
                    case "joined" -> WebSockets.sendText("{\"type\":\"publish\",\"id\":2,\"room\":\"" + room
                            + "\",\"data\":{\"warmup\":true}}", ch, null);
                    case "ack" -> {
                        open.remove(ch);
                        WebSockets.sendClose(CloseMessage.NORMAL_CLOSURE, null, ch, null);
                        done.complete(null);
                    }
                    case "error" -> done.completeExceptionally(new IOException("the node answered " + text));
                    default -> {
                    }
                }
            }

            @Override
            protected void onError(WebSocketChannel ch, Throwable error) {
                done.completeExceptionally(error);
                IoUtils.safeClose(ch);
            }

            @Override
            protected void onCloseMessage(CloseMessage message, WebSocketChannel ch) {
                done.completeExceptionally(new IOException("closed by the node: " + message.getCode()));
            }
        });
        // a connection dropped without a close frame ends the round too (no effect after the ack)
        channel.addCloseTask(ch -> {
            alive.remove(ch);
            done.completeExceptionally(new IOException("connection closed"));
        });
        channel.resumeReceives();
    }

    /**
     * Closes the pool once every channel has closed: a round that has sent its close still receives the
     * messages of the rounds under way until the node answers. After two seconds the pool is left to the
     * garbage collector.
     */
    private void closeWhenAllClosed(DefaultByteBufferPool buffers) throws InterruptedException {
        long until = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (!alive.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        if (alive.isEmpty()) {
            buffers.close();
        }
    }

    private void report(int rounds, int completed, Throwable failure, Duration took) {
        if (completed == rounds) {
            log.info("warm-up: {} connections through connect, join, publish and close in {} ms", completed,
                    took.toMillis());
        } else {
            log.warn("warm-up stopped after {} of {} connections in {} ms ({}); serving anyway", completed, rounds,
                    took.toMillis(), failure != null ? failure.toString() : "time limit reached");
        }
    }
}
