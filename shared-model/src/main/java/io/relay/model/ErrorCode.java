package io.relay.model;

/** The closed catalogue of error codes a client can see in an {@code error} frame (PROTOCOL.md, Errors). */
public enum ErrorCode {
    BAD_REQUEST("bad_request"),
    UNKNOWN_TYPE("unknown_type"),
    INVALID_ROOM("invalid_room"),
    UNAUTHORIZED("unauthorized"),
    FORBIDDEN("forbidden"),
    NOT_MEMBER("not_member"),
    TOO_LARGE("too_large"),
    RATE_LIMITED("rate_limited"),
    RECIPIENT_OFFLINE("recipient_offline"),
    UNAVAILABLE("unavailable"),
    INTERNAL("internal");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as it appears on the wire, e.g. {@code not_member}. */
    public String wire() {
        return wire;
    }
}
