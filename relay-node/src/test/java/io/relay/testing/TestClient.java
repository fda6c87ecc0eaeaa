package io.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A WebSocket test client on the JDK's {@code java.net.http.WebSocket}. Every text frame received
 * is parsed into a {@link JsonNode} and queued; tests take frames out with {@link #await} (first
 * frame matching a predicate, with a deadline; frames that do not match stay queued for later
 * awaits) and assert silence with {@link #assertNoFrame}. Failures list what did arrive.
 */
public final class TestClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Close code recorded when the connection broke without a close frame. */
    public static final int ABNORMAL_CLOSE = 1006;
    private static final int FRAMES_SHOWN = 40;

    /** The close frame received (or {@link #ABNORMAL_CLOSE} with the error for a broken connection). */
    public record Close(int code, String reason) {
    }

    private final String label;
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> backlog = new ArrayList<>();
    private final List<JsonNode> all = new ArrayList<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final AtomicInteger ids = new AtomicInteger();
    /** Sends are serialised on their own lock, so one thread can send while another awaits frames. */
    private final Object sendLock = new Object();
    private volatile WebSocket socket;
    private JsonNode welcome;

    TestClient(String label) {
        this.label = label;
    }

    /** Starts describing a connection to {@code base} (e.g. {@code ws://127.0.0.1:8080}). */
    public static Connector to(URI base) {
        return new Connector(base);
    }

    /** The listener that feeds this client; handed to the WebSocket builder by {@link Connector}. */
    WebSocket.Listener listener() {
        return new Listener();
    }

    /** Binds the socket once the upgrade succeeded. */
    void attach(WebSocket ws) {
        socket = ws;
    }

    // ---------------------------------------------------------------- sending

    /** Sends one text frame; fails the test if the send does not complete. */
    public void send(String text) {
        Throwable failure = sendQuietly(text);
        if (failure != null) {
            throw new AssertionError(label + ": send failed: " + failure, failure);
        }
    }

    public void send(JsonNode frame) {
        send(frame.toString());
    }

    /** Sends one text frame and tells whether it went out (false once the connection is closed). */
    public boolean trySend(String text) {
        return sendQuietly(text) == null;
    }

    /** Sends one binary frame. */
    public void sendBinary(byte[] bytes) {
        synchronized (sendLock) {
            sendBinaryLocked(bytes);
        }
    }

    private void sendBinaryLocked(byte[] bytes) {
        try {
            socket.sendBinary(ByteBuffer.wrap(bytes), true).get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(label + ": binary send failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private Throwable sendQuietly(String text) {
        synchronized (sendLock) {
            return sendTextLocked(text);
        }
    }

    private Throwable sendTextLocked(String text) {
        try {
            socket.sendText(text, true).get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException | IllegalStateException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    /** A fresh correlation id, unique within this client. */
    public String nextId() {
        return "c" + ids.incrementAndGet();
    }

    /** Sends {@code frame} (which must carry an {@code id}) and returns the reply echoing that id. */
    public JsonNode request(JsonNode frame) {
        return request(frame, DEFAULT_TIMEOUT);
    }

    public JsonNode request(JsonNode frame, Duration timeout) {
        JsonNode id = frame.get("id");
        if (id == null) {
            throw new IllegalArgumentException("request needs a frame with an id: " + frame);
        }
        send(frame);
        return await(Frames.id(id), timeout, "the reply to " + Json.brief(frame, 200));
    }

    public JsonNode request(String json) {
        return request(Json.parse(json));
    }

    /** Sends a frame built from key/value pairs plus a fresh {@code id}, and returns its reply. */
    public JsonNode call(Object... keysAndValues) {
        ObjectNode frame = Json.obj(keysAndValues);
        frame.put("id", nextId());
        return request(frame);
    }

    // ---------------------------------------------------------------- protocol helpers

    /** Joins {@code room} and returns the {@code joined} reply (fails on anything else). */
    public JsonNode join(String room) {
        return expectType(call("type", "join", "room", room), "joined");
    }

    public JsonNode leave(String room) {
        return expectType(call("type", "leave", "room", room), "left");
    }

    /** Publishes {@code data} to {@code room} and returns the {@code ack}. */
    public JsonNode publish(String room, Object data) {
        return expectType(call("type", "publish", "room", room, "data", data), "ack");
    }

    /** Sends a {@code ping} and returns the {@code pong}: proof that the connection is open and served. */
    public JsonNode ping() {
        return expectType(call("type", "ping"), "pong");
    }

    /** Fails unless {@code reply} has {@code type}. */
    public JsonNode expectType(JsonNode reply, String type) {
        if (!type.equals(reply.path("type").asText(null))) {
            throw new AssertionError(label + ": expected a '" + type + "' reply but got " + Json.brief(reply, 500));
        }
        return reply;
    }

    // ---------------------------------------------------------------- receiving

    /** The {@code welcome} frame, the first frame of the connection. */
    public JsonNode welcome() {
        return welcome;
    }

    /** The first unconsumed frame of {@code type}. */
    public JsonNode await(String type) {
        return await(Frames.type(type), DEFAULT_TIMEOUT, "a '" + type + "' frame");
    }

    public JsonNode await(Predicate<JsonNode> match) {
        return await(match, DEFAULT_TIMEOUT, "a matching frame");
    }

    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        return await(match, timeout, "a matching frame");
    }

    /**
     * Removes and returns the first unconsumed frame matching {@code match}, waiting up to
     * {@code timeout}; frames that do not match stay available to later awaits.
     */
    public synchronized JsonNode await(Predicate<JsonNode> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode found = takeFromBacklog(match);
        while (found == null) {
            JsonNode next = pollInbox(deadline);
            if (next == null) {
                throw new AssertionError(label + ": timed out after " + timeout.toMillis() + " ms waiting for "
                        + what + describeState());
            }
            if (match.test(next)) {
                found = next;
            } else {
                backlog.add(next);
            }
        }
        return found;
    }

    /** Removes and returns the first {@code count} frames matching {@code match}, in arrival order. */
    public synchronized List<JsonNode> awaitAll(Predicate<JsonNode> match, int count, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> found = new ArrayList<>(count);
        while (found.size() < count) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            try {
                found.add(await(match, left, what));
            } catch (AssertionError e) {
                throw new AssertionError(label + ": got " + found.size() + " of " + count + " " + what
                        + describeState(), e);
            }
        }
        return found;
    }

    /**
     * Asserts that no frame matching {@code match} arrives within {@code period} (and that none is
     * already queued). The one place where a bounded wait without a condition is right: silence
     * can only be observed for a while.
     */
    public synchronized void assertNoFrame(Predicate<JsonNode> match, Duration period) {
        for (JsonNode f : backlog) {
            if (match.test(f)) {
                throw new AssertionError(label + ": expected no such frame, but got " + Json.brief(f, 500)
                        + describeState());
            }
        }
        long deadline = System.nanoTime() + period.toNanos();
        for (JsonNode next = pollInbox(deadline); next != null; next = pollInbox(deadline)) {
            backlog.add(next);
            if (match.test(next)) {
                throw new AssertionError(label + ": expected no such frame within " + period.toMillis()
                        + " ms, but got " + Json.brief(next, 500) + describeState());
            }
        }
    }

    /**
     * Asserts that none of {@code clients} receives a frame matching {@code match} within
     * {@code period}: one wait for all of them, not one per client.
     */
    public static void assertNoFrame(List<TestClient> clients, Predicate<JsonNode> match, Duration period) {
        long deadline = System.nanoTime() + period.toNanos();
        for (TestClient client : clients) {
            client.assertNoFrame(match, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /** Every frame received so far, consumed or not, in arrival order (welcome included). */
    public List<JsonNode> received() {
        drainInbox();
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** Waits for the server to close the connection and returns the close code. */
    public int closeCode() {
        return closeCode(DEFAULT_TIMEOUT);
    }

    public int closeCode(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS).code();
        } catch (TimeoutException e) {
            throw new AssertionError(label + ": connection not closed within " + timeout.toMillis() + " ms"
                    + describeState());
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Closes the connection (1000) and waits briefly for the server's close; aborts if it does not come. */
    @Override
    public void close() {
        WebSocket ws = socket;
        if (ws == null) {
            return;
        }
        if (!closed.isDone()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
                closed.get(2, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | IllegalStateException e) {
                // already closing or broken: abort below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ws.abort();
    }

    @Override
    public String toString() {
        return label;
    }

    private JsonNode takeFromBacklog(Predicate<JsonNode> match) {
        for (Iterator<JsonNode> it = backlog.iterator(); it.hasNext(); ) {
            JsonNode f = it.next();
            if (match.test(f)) {
                it.remove();
                return f;
            }
        }
        return null;
    }

    private JsonNode pollInbox(long deadline) {
        long left = deadline - System.nanoTime();
        try {
            return left <= 0 ? inbox.poll() : inbox.poll(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private synchronized void drainInbox() {
        inbox.drainTo(backlog);
    }

    private String describeState() {
        List<JsonNode> frames;
        synchronized (all) {
            frames = List.copyOf(all);
        }
        StringBuilder s = new StringBuilder();
        s.append("\n  ").append(closed.isDone() ? "closed: " + closed.join() : "open");
        s.append("\n  received (").append(frames.size()).append(" frames");
        int from = Math.max(0, frames.size() - FRAMES_SHOWN);
        if (from > 0) {
            s.append(", last ").append(FRAMES_SHOWN).append(" shown");
        }
        s.append("):");
        for (int i = from; i < frames.size(); i++) {
            s.append("\n    #").append(i).append(' ').append(Json.brief(frames.get(i), 400));
        }
        return s.toString();
    }

    private void onFrame(String text) {
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            frame = TextNode.valueOf("UNPARSEABLE TEXT FRAME: " + text);
        }
        synchronized (all) {
            all.add(frame);
        }
        inbox.add(frame);
    }

    /** Consumes the first frame, which must be the {@code welcome}. */
    void awaitWelcome(Duration timeout) {
        JsonNode first = await(Frames.any(), timeout, "the welcome frame");
        if (!"welcome".equals(first.path("type").asText(null))) {
            throw new AssertionError(label + ": the first frame is not a welcome: " + Json.brief(first, 500));
        }
        welcome = first;
    }

    /** Receives frames into the client's queue; reassembles text messages that come in parts. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onFrame(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            onFrame("{\"type\":\"$binary\",\"bytes\":" + data.remaining() + "}");
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Close(ABNORMAL_CLOSE, String.valueOf(error)));
        }
    }
}
