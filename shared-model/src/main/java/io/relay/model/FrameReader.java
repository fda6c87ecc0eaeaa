package io.relay.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Turns a parsed JSON tree into a {@link ClientFrame}, checking every field's presence and type. */
final class FrameReader {
    private final JsonNode node;
    private final JsonNode id;

    private FrameReader(JsonNode node, JsonNode id) {
        this.node = node;
        this.id = id;
    }

    static ClientFrame read(JsonNode node) {
        if (!node.isObject()) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "a frame must be a JSON object", null);
        }
        FrameReader r = new FrameReader(node, readId(optional(node, "id")));
        return r.frame(r.type());
    }

    private static JsonNode readId(JsonNode id) {
        if (id == null || id.isTextual() || id.isNumber()) {
            return id;
        }
        throw new FrameException(ErrorCode.BAD_REQUEST, "'id' must be a string or a number", null);
    }

    private String type() {
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw error(ErrorCode.BAD_REQUEST, "'type' must be a string");
        }
        return type.textValue();
    }

    private ClientFrame frame(String type) {
        return switch (type) {
            case "join" -> new ClientFrame.Join(id, room(), optionalString("since", 256));
            case "leave" -> new ClientFrame.Leave(id, room());
            case "publish" -> new ClientFrame.Publish(id, room(), data(),
                    optionalString("key", FrameCodec.MAX_KEY_LENGTH));
            case "direct" -> new ClientFrame.Direct(id, userId("to"), data());
            case "presence" -> new ClientFrame.Presence(id, room());
            case "history" -> new ClientFrame.History(id, room(), optionalString("since", 256), limit());
            case "refresh" -> new ClientFrame.Refresh(id, requiredString("token"));
            case "ping" -> new ClientFrame.Ping(id);
            default -> throw error(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + shorten(type) + "'");
        };
    }

    private String room() {
        String room = requiredString("room");
        if (!Names.isValidRoom(room)) {
            throw error(ErrorCode.INVALID_ROOM,
                    "room names are 1-128 characters of A-Z a-z 0-9 _ . : @ -");
        }
        return room;
    }

    private String userId(String field) {
        String user = requiredString(field);
        if (!Names.isValidUserId(user)) {
            throw error(ErrorCode.BAD_REQUEST,
                    "'" + field + "' must be a user id: 1-128 characters of A-Z a-z 0-9 _ . @ : -");
        }
        return user;
    }

    private JsonNode data() {
        JsonNode data = node.get("data");
        if (data == null) {
            throw error(ErrorCode.BAD_REQUEST, "'data' is required");
        }
        return data;
    }

    private int limit() {
        JsonNode limit = optional(node, "limit");
        if (limit == null) {
            return FrameCodec.HISTORY_DEFAULT_LIMIT;
        }
        if (!limit.isIntegralNumber() || limit.bigIntegerValue().signum() < 1) {
            throw error(ErrorCode.BAD_REQUEST, "'limit' must be a positive integer");
        }
        // larger values are cut to the maximum (PROTOCOL.md), also those beyond a long
        return limit.canConvertToInt() ? Math.min(limit.intValue(), FrameCodec.HISTORY_MAX_LIMIT)
                : FrameCodec.HISTORY_MAX_LIMIT;
    }

    private String requiredString(String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw error(ErrorCode.BAD_REQUEST, "'" + field + "' must be a string");
        }
        return value.textValue();
    }

    private String optionalString(String field, int maxLength) {
        JsonNode value = optional(node, field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual() || value.textValue().isEmpty() || value.textValue().length() > maxLength) {
            throw error(ErrorCode.BAD_REQUEST,
                    "'" + field + "' must be a non-empty string of at most " + maxLength + " characters");
        }
        return value.textValue();
    }

    /** An optional field; an explicit null counts as absent (JavaScript clients send {@code since: null}). */
    private static JsonNode optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private FrameException error(ErrorCode code, String message) {
        return new FrameException(code, message, id);
    }

    private static String shorten(String s) {
        String safe = s.length() > 32 ? s.substring(0, 32) + "..." : s;
        return safe.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
