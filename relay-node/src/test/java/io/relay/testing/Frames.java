package io.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Predicate;

/** Predicates over received server frames, for {@link TestClient#await} and friends. */
public final class Frames {
    private Frames() {
    }

    public static Predicate<JsonNode> type(String type) {
        return f -> type.equals(f.path("type").asText(null));
    }

    /** A reply to the client frame with this id (any type). */
    public static Predicate<JsonNode> id(JsonNode id) {
        return f -> id.equals(f.get("id"));
    }

    /** A room {@code message} frame of {@code room}. */
    public static Predicate<JsonNode> message(String room) {
        return f -> type("message").test(f) && room.equals(f.path("room").asText(null));
    }

    /** Any room {@code message} frame. */
    public static Predicate<JsonNode> anyMessage() {
        return type("message");
    }

    /** A presence event ({@code join}/{@code leave}) for {@code user} in {@code room}. */
    public static Predicate<JsonNode> presence(String room, String event, String user) {
        return f -> type("presence").test(f) && f.get("event") != null
                && room.equals(f.path("room").asText(null))
                && event.equals(f.path("event").asText(null))
                && user.equals(f.path("user").path("id").asText(null));
    }

    /** Any presence event (not a reply) in {@code room}. */
    public static Predicate<JsonNode> presenceEvent(String room) {
        return f -> type("presence").test(f) && f.get("event") != null && room.equals(f.path("room").asText(null));
    }

    /** An {@code error} frame with {@code code}. */
    public static Predicate<JsonNode> error(String code) {
        return f -> type("error").test(f) && code.equals(f.path("code").asText(null));
    }

    /** A {@code direct} frame from {@code user}. */
    public static Predicate<JsonNode> directFrom(String user) {
        return f -> type("direct").test(f) && user.equals(f.path("from").path("id").asText(null));
    }

    /** Any frame at all. */
    public static Predicate<JsonNode> any() {
        return f -> true;
    }
}
