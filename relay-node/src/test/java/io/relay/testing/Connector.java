package io.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Describes one connection attempt: path, token and where it goes, Origin, extra headers. */
public final class Connector {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /** Where the token goes in the upgrade request (PROTOCOL.md, Connecting). */
    public enum TokenPlacement { BEARER, HEADER, QUERY }

    /** An upgrade refused by the server: its HTTP status and body. */
    public record Rejection(int status, String body) {
        public JsonNode json() {
            return Json.parse(body);
        }
    }

    private final URI base;
    private String path = "/ws";
    private String token;
    private TokenPlacement placement = TokenPlacement.BEARER;
    private String origin;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String label = "client";

    Connector(URI base) {
        this.base = base;
    }

    /** {@code /ws} (the default) or {@code /ws/{room}}. */
    public Connector path(String v) {
        path = v;
        return this;
    }

    public Connector token(String v) {
        token = v;
        return this;
    }

    public Connector placement(TokenPlacement v) {
        placement = v;
        return this;
    }

    public Connector origin(String v) {
        origin = v;
        return this;
    }

    public Connector header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** A name for failure messages, e.g. {@code ann@node-a}. */
    public Connector label(String v) {
        label = v;
        return this;
    }

    /** Connects and waits for the {@code welcome}, which must be the first frame. */
    public TestClient connect() {
        TestClient client = new TestClient(label);
        try {
            client.attach(handshake(client).get(10, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            throw new AssertionError(label + ": upgrade of " + uri() + " failed: " + describe(e.getCause()),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(label + ": upgrade of " + uri() + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        client.awaitWelcome(TestClient.DEFAULT_TIMEOUT);
        return client;
    }

    /** Attempts the upgrade, expecting the server to refuse it; returns the status and body. */
    public Rejection reject() {
        TestClient client = new TestClient(label);
        try {
            client.attach(handshake(client).get(10, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                Object body = refused.getResponse().body();
                String text = body == null ? ""
                        : body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                        : body.toString();
                return new Rejection(refused.getResponse().statusCode(), text);
            }
            throw new AssertionError(label + ": expected an HTTP refusal of " + uri() + " but got "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(label + ": upgrade of " + uri() + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        String seen = client.received().toString();
        client.close();
        throw new AssertionError(label + ": expected the upgrade of " + uri() + " to be refused, but it "
                + "succeeded; frames: " + Json.shorten(seen, 500));
    }

    private CompletableFuture<WebSocket> handshake(TestClient client) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null && placement == TokenPlacement.BEARER) {
            builder.header("Authorization", "Bearer " + token);
        } else if (token != null && placement == TokenPlacement.HEADER) {
            builder.header("token", token);
        }
        if (origin != null) {
            builder.header("Origin", origin);
        }
        headers.forEach(builder::header);
        return builder.buildAsync(uri(), client.listener());
    }

    private URI uri() {
        String query = token != null && placement == TokenPlacement.QUERY
                ? "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) : "";
        return base.resolve(path + query);
    }

    private static String describe(Throwable t) {
        if (t instanceof WebSocketHandshakeException refused) {
            return "HTTP " + refused.getResponse().statusCode() + " " + refused.getResponse().body();
        }
        return String.valueOf(t);
    }
}
