package io.relay.transport;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** Small JSON answers for HTTP routes, in the {@code {"error":..,"message":..}} shape of PROTOCOL.md. */
public final class HttpReplies {
    private HttpReplies() {
    }

    /** Sends {@code json} (already encoded) with {@code status}. */
    public static void json(HttpServerExchange exchange, int status, String json) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(json);
    }

    /** Sends {@code {"error":code,"message":message}}. Neither may contain quotes or backslashes. */
    public static void error(HttpServerExchange exchange, int status, String code, String message) {
        json(exchange, status, "{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}");
    }
}
