package io.relay.it.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * A minimal {@code wss://} client on the JDK's WebSocket with a given trust (the harness's
 * TestClient speaks plain {@code ws://}): sends text frames and waits for received ones.
 */
final class WssClient implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final WebSocket socket;

    private WssClient(HttpClient http, URI uri, String token) throws Exception {
        socket = http.newWebSocketBuilder().connectTimeout(WAIT).header("Authorization", "Bearer " + token)
                .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    }

    /** Connects to {@code uri} (a {@code wss://} URL) trusting {@code trust}; fails the test if it cannot. */
    static WssClient connect(SSLContext trust, URI uri, String token) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trust)
                .connectTimeout(WAIT).build();
        try {
            return new WssClient(http, uri, token);
        } catch (Exception e) {
            throw new AssertionError("wss upgrade of " + uri + " failed: " + e, e);
        }
    }

    void send(String text) {
        socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The first frame (received from now on, or earlier and not yet taken) matching {@code match}. */
    JsonNode await(Predicate<JsonNode> match, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode frame;
            try {
                frame = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (frame == null) {
                throw new AssertionError("no " + what + " within " + WAIT.toSeconds() + " s; received " + seen);
            }
            seen.add(frame);
            if (match.test(frame)) {
                return frame;
            }
        }
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                inbox.add(Json.parse(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
