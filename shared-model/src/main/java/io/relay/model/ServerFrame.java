package io.relay.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.util.List;

/**
 * A frame sent by the server (PROTOCOL.md, "Server to client"). Absent optional fields (a null
 * {@code id}, say) are left out of the JSON. Room {@code message} frames are not built here
 * one by one: {@link FrameCodec#messagePrefix} builds them once per publish.
 */
@JsonPropertyOrder({"type", "id"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerFrame {
    @JsonProperty("type")
    String type();

    record Welcome(String session, String node, Member user, int heartbeat) implements ServerFrame {
        public String type() {
            return "welcome";
        }
    }

    /** Reply to {@code join}; {@code recovered}/{@code missed} are set only when the join had a {@code since}. */
    record Joined(JsonNode id, String room, List<Member> members, String offset, Boolean recovered, Integer missed)
            implements ServerFrame {
        public String type() {
            return "joined";
        }
    }

    record Left(JsonNode id, String room) implements ServerFrame {
        public String type() {
            return "left";
        }
    }

    /** A room message; decoded by clients, built by the node through {@link FrameCodec#messagePrefix}. */
    record Message(String room, Member from, JsonNode data, long ts, String offset) implements ServerFrame {
        public String type() {
            return "message";
        }
    }

    record Direct(Member from, String to, JsonNode data, long ts) implements ServerFrame {
        public String type() {
            return "direct";
        }
    }

    /** A presence event: {@code event} is {@code join} or {@code leave}. */
    record PresenceEvent(String room, String event, Member user, long ts) implements ServerFrame {
        public String type() {
            return "presence";
        }
    }

    /** Reply to a {@code presence} request. */
    record PresenceReply(JsonNode id, String room, List<Member> members) implements ServerFrame {
        public String type() {
            return "presence";
        }
    }

    /** Reply to a {@code history} request; each message is a complete {@code message} frame. */
    record HistoryReply(JsonNode id, String room, List<RawValue> messages) implements ServerFrame {
        public String type() {
            return "history";
        }
    }

    /** Acknowledges {@code publish} (with {@code offset}) or {@code direct} (with {@code delivered}). */
    record Ack(JsonNode id, String offset, Integer delivered) implements ServerFrame {
        public String type() {
            return "ack";
        }
    }

    /**
     * Messages of {@code room} may have been missed and history cannot fill the gap (the node lost its
     * Redis link for longer than history covers, or history was lost): reload the room's state.
     * {@code offset} is the room's position from which delivery continues, or null when unknown.
     */
    record Gap(String room, String offset) implements ServerFrame {
        public String type() {
            return "gap";
        }
    }

    record Refreshed(JsonNode id, long exp) implements ServerFrame {
        public String type() {
            return "refreshed";
        }
    }

    record Pong(JsonNode id) implements ServerFrame {
        public String type() {
            return "pong";
        }
    }

    record Error(JsonNode id, String code, String message) implements ServerFrame {
        public Error(JsonNode id, ErrorCode code, String message) {
            this(id, code.wire(), message);
        }

        public String type() {
            return "error";
        }
    }
}
