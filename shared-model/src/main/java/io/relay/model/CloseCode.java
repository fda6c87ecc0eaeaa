package io.relay.model;

/** The closed catalogue of WebSocket close codes the server uses (PROTOCOL.md, Close codes). */
public enum CloseCode {
    NORMAL(1000, "normal"),
    TOO_LARGE(1009, "frame too large"),
    INTERNAL(1011, "internal error"),
    RESTARTING(1012, "node is restarting"),
    TOKEN_EXPIRED(4001, "token expired"),
    SLOW_CONSUMER(4008, "slow consumer"),
    /** Not in PROTOCOL.md's table: nothing (no pong, no frame) for three heartbeat intervals. */
    NO_HEARTBEAT(4408, "heartbeat timeout"),
    RATE_LIMITED(4029, "rate limit abused"),
    DISCONNECTED(4403, "disconnected by the server");

    private final int code;
    private final String reason;

    CloseCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    /** A short reason phrase sent in the close frame and used in logs and metrics. */
    public String reason() {
        return reason;
    }

    /** The catalogue entry for a numeric code, or null when the code is not ours. */
    public static CloseCode of(int code) {
        for (CloseCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
