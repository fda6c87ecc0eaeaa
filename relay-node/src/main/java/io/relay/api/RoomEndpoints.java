package io.relay.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.relay.broker.Broker;
import io.relay.history.History;
import io.relay.history.HistoryPage;
import io.relay.history.Offset;
import io.relay.model.FrameCodec;
import io.relay.model.Member;
import io.relay.model.Names;
import io.relay.presence.Presence;
import io.undertow.server.HttpServerExchange;
import java.math.BigInteger;
import java.util.Deque;

/**
 * The room routes of the server API: publish (the clients' publish path: history, offset and
 * PUBLISH in one script), presence (the presence hash, no asking other nodes) and history (as the
 * {@code history} frame). Every handler runs on an XNIO I/O thread and never blocks.
 */
final class RoomEndpoints {
    private final FrameCodec codec;
    private final Broker broker;
    private final Presence presence;
    private final History history;
    private final ApiReplies replies;
    private final JsonBody body;

    RoomEndpoints(FrameCodec codec, Broker broker, Presence presence, History history, ApiReplies replies,
                  JsonBody body) {
        this.codec = codec;
        this.broker = broker;
        this.presence = presence;
        this.history = history;
        this.replies = replies;
        this.body = body;
    }

    /** {@code POST /api/rooms/{room}/publish}, body = {@code data}: {@code 200 {"offset":..}}. */
    void publish(HttpServerExchange exchange) {
        String room = room(exchange);
        if (room != null) {
            body.read(exchange, (ex, data) -> {
                String prefix = codec.messagePrefix(room, Member.SERVER, data, System.currentTimeMillis());
                replies.afterRedis(ex, "publish", () -> broker.publish(room, prefix, null),
                        r -> new ApiReplies.Reply(200, replies.object().put("offset", r.offset())));
            });
        }
    }

    /** {@code GET /api/rooms/{room}/presence}: {@code 200 {"room":..,"members":[..]}}. */
    void presence(HttpServerExchange exchange) {
        String room = room(exchange);
        if (room != null) {
            replies.afterRedis(exchange, "presence", () -> presence.members(room), members -> {
                ObjectNode answer = replies.object().put("room", room);
                answer.set("members", codec.mapper().valueToTree(members));
                return new ApiReplies.Reply(200, answer);
            });
        }
    }

    /** {@code GET /api/rooms/{room}/history?since=..&limit=..}: {@code 200 {"room":..,"messages":[..]}}. */
    void history(HttpServerExchange exchange) {
        String room = room(exchange);
        if (room == null) {
            return;
        }
        String sinceText = query(exchange, "since");
        Offset since = sinceText == null ? null : Offset.parse(sinceText);
        if (sinceText != null && since == null) {
            replies.error(exchange, 400, "bad_request", "'since' is not an offset given by this server");
            return;
        }
        Integer limit = limit(exchange);
        if (limit != null) {
            replies.afterRedis(exchange, "history", () -> history.page(room, since, limit), p -> historyReply(room, p));
        }
    }

    private ApiReplies.Reply historyReply(String room, HistoryPage page) {
        ObjectNode answer = replies.object().put("room", room);
        ArrayNode messages = answer.putArray("messages");
        page.entries().forEach(m -> messages.addRawValue(new RawValue(m.frame())));
        return new ApiReplies.Reply(200, answer);
    }

    /** {@code limit} as the {@code history} frame takes it: a positive integer, 50 when absent, cut to 500. */
    private Integer limit(HttpServerExchange exchange) {
        String text = query(exchange, "limit");
        if (text == null) {
            return FrameCodec.HISTORY_DEFAULT_LIMIT;
        }
        if (text.isEmpty() || text.length() > FrameCodec.MAX_NUMBER_LENGTH
                || !text.chars().allMatch(c -> c >= '0' && c <= '9') || new BigInteger(text).signum() < 1) {
            replies.error(exchange, 400, "bad_request", "'limit' must be a positive integer");
            return null;
        }
        return new BigInteger(text).min(BigInteger.valueOf(FrameCodec.HISTORY_MAX_LIMIT)).intValueExact();
    }

    /** The path's room, or null after answering 400 {@code invalid_room}. */
    private String room(HttpServerExchange exchange) {
        String room = ApiRoutes.pathParameter(exchange, "room");
        if (Names.isValidRoom(room)) {
            return room;
        }
        replies.error(exchange, 400, "invalid_room", "a room name is 1-128 characters of A-Z a-z 0-9 _ . : @ -");
        return null;
    }

    private static String query(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null ? null : values.peekFirst();
    }
}
