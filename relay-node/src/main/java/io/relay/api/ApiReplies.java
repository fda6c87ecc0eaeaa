package io.relay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relay.transport.HttpReplies;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the server API answers: JSON bodies, errors as {@code {"error":..,"message":..}}, and answers
 * that wait for Redis. Those never block: the exchange is dispatched (kept open) while the Redis
 * stage runs, and the answer is written back on the exchange's own I/O thread, so no work is left
 * on the Lettuce event loop.
 */
final class ApiReplies {
    private static final Logger log = LoggerFactory.getLogger(ApiReplies.class);

    /** What to answer: a status and a JSON body. */
    record Reply(int status, JsonNode body) {
    }

    private final ObjectMapper mapper;

    ApiReplies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    void json(HttpServerExchange exchange, int status, JsonNode body) {
        String text;
        try {
            text = mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an API answer", e);
        }
        HttpReplies.json(exchange, status, text);
    }

    /** {@code {"error":code,"message":message}}; the message may quote what the caller sent (it is escaped). */
    void error(HttpServerExchange exchange, int status, String code, String message) {
        json(exchange, status, object().put("error", code).put("message", message));
    }

    /**
     * Starts {@code redis} once the handler has returned and answers with {@code ok}'s reply, or
     * 503 {@code unavailable} when Redis failed or did not confirm within the command timeout.
     */
    <T> void afterRedis(HttpServerExchange exchange, String what, Supplier<CompletionStage<T>> redis,
                        Function<T, Reply> ok) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            CompletionStage<T> stage;
            try {
                stage = redis.get();
            } catch (RuntimeException e) { // a command refused before it was sent (disconnected, say)
                unavailable(exchange, what, e);
                return;
            }
            stage.whenComplete((value, e) -> exchange.getIoThread().execute(() -> {
                if (e != null) {
                    unavailable(exchange, what, e);
                } else {
                    answer(exchange, what, value, ok);
                }
            }));
        });
    }

    private <T> void answer(HttpServerExchange exchange, String what, T value, Function<T, Reply> ok) {
        try {
            Reply reply = ok.apply(value);
            json(exchange, reply.status(), reply.body());
        } catch (RuntimeException e) {
            log.error("server API {} failed", what, e);
            error(exchange, 500, "internal", "internal error");
        }
    }

    private void unavailable(HttpServerExchange exchange, String what, Throwable e) {
        log.warn("server API {} failed: Redis did not confirm: {}", what, e.toString());
        error(exchange, 503, "unavailable", "Redis did not confirm in time; retry");
    }
}
