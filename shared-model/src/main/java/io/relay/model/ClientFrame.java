package io.relay.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A frame sent by a client (PROTOCOL.md, "Client to server"). {@code id} is the client's own
 * correlation id (a string or number node) or null; every reply echoes it. Fields a client may not
 * set ({@code from}, {@code ts}) have no place here: they are stamped by the server.
 */
public sealed interface ClientFrame {
    JsonNode id();

    /** Join {@code room}; {@code since} is an offset to resume from, or null. */
    record Join(JsonNode id, String room, String since) implements ClientFrame {
    }

    record Leave(JsonNode id, String room) implements ClientFrame {
    }

    /** Publish {@code data} to {@code room}; {@code key} is an idempotency key or null. */
    record Publish(JsonNode id, String room, JsonNode data, String key) implements ClientFrame {
    }

    /** Send {@code data} to every connection of user {@code to}. */
    record Direct(JsonNode id, String to, JsonNode data) implements ClientFrame {
    }

    record Presence(JsonNode id, String room) implements ClientFrame {
    }

    /** Read history after {@code since} (exclusive, may be null) up to {@code limit} messages. */
    record History(JsonNode id, String room, String since, int limit) implements ClientFrame {
    }

    record Refresh(JsonNode id, String token) implements ClientFrame {
    }

    record Ping(JsonNode id) implements ClientFrame {
    }
}
