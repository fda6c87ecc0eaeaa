package io.relay.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A client frame the server refuses, with the error code and message to send back. {@code id} is
 * the frame's id when it could be read, so the error can echo it.
 */
public final class FrameException extends RuntimeException {
    private final ErrorCode code;
    private final transient JsonNode id;

    public FrameException(ErrorCode code, String message, JsonNode id) {
        super(message, null, false, false);
        this.code = code;
        this.id = id;
    }

    public ErrorCode code() {
        return code;
    }

    public JsonNode id() {
        return id;
    }
}
