package io.relay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request body without blocking and parses it as one JSON value, as strictly as a client
 * frame (the protocol codec's mapper: no duplicate keys, no trailing data, bounded depth and
 * lengths). The size limit holds while reading: a declared length over it is refused before a
 * byte is read, and a chunked body is refused as soon as it passes the limit, so no request makes
 * the node buffer more than the limit (plus one read buffer).
 */
final class JsonBody {
    private static final Logger log = LoggerFactory.getLogger(JsonBody.class);

    private final ObjectMapper mapper;
    private final int maxBytes;
    private final ApiReplies replies;

    JsonBody(ObjectMapper mapper, int maxBytes, ApiReplies replies) {
        this.mapper = mapper;
        this.maxBytes = maxBytes;
        this.replies = replies;
    }

    /** Hands the parsed body to {@code then}, or answers 400 (not JSON) or 413 (too large) itself. */
    void read(HttpServerExchange exchange, BiConsumer<HttpServerExchange, JsonNode> then) {
        if (declaredTooLarge(exchange)) {
            tooLarge(exchange);
            return;
        }
        Receiver receiver = exchange.getRequestReceiver();
        receiver.setMaxBufferSize(maxBytes);
        receiver.receiveFullBytes((ex, bytes) -> parsed(ex, bytes, then), this::failed);
    }

    private boolean declaredTooLarge(HttpServerExchange exchange) {
        String declared = exchange.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
        if (declared == null) {
            return false;
        }
        try {
            return Long.parseLong(declared.strip()) > maxBytes;
        } catch (NumberFormatException e) {
            return true; // Undertow's parser refuses these first; never let one reach the receiver
        }
    }

    private void parsed(HttpServerExchange exchange, byte[] bytes, BiConsumer<HttpServerExchange, JsonNode> then) {
        if (bytes.length == 0) {
            replies.error(exchange, 400, "bad_request", "the body must be a JSON value");
            return;
        }
        JsonNode value;
        try {
            value = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            replies.error(exchange, 400, "bad_request", "the body is not valid JSON: " + brief(e.getOriginalMessage()));
            return;
        } catch (IOException e) {
            replies.error(exchange, 400, "bad_request", "the body could not be read");
            return;
        }
        if (value == null || value.isMissingNode()) {
            replies.error(exchange, 400, "bad_request", "the body must be a JSON value");
            return;
        }
        then.accept(exchange, value);
    }

    private void failed(HttpServerExchange exchange, IOException e) {
        if (e instanceof Receiver.RequestToLargeException) {
            tooLarge(exchange);
        } else { // the client went away mid-body: nobody to answer
            log.debug("server API request body not received: {}", e.toString());
            exchange.setPersistent(false);
            exchange.endExchange();
        }
    }

    private void tooLarge(HttpServerExchange exchange) {
        exchange.setPersistent(false); // the rest of the body is not worth draining
        replies.error(exchange, 413, "too_large", "the body is over " + maxBytes + " bytes");
    }

    private static String brief(String s) {
        if (s == null) {
            return "malformed";
        }
        String line = s.lines().findFirst().orElse(s);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}
