package io.relay.api;

import io.relay.broker.Broker;
import io.relay.model.FrameCodec;
import io.relay.model.Member;
import io.relay.model.Names;
import io.relay.model.ServerFrame;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user routes of the server API, both through the user's Redis channel: a direct message from
 * the server (the frame clients get for a {@code direct}, from {@code $server}), and closing every
 * connection of the user on every node with 4403. Handlers never block.
 */
final class UserEndpoints {
    private static final Logger log = LoggerFactory.getLogger(UserEndpoints.class);

    private final FrameCodec codec;
    private final Broker broker;
    private final ApiReplies replies;
    private final JsonBody body;

    UserEndpoints(FrameCodec codec, Broker broker, ApiReplies replies, JsonBody body) {
        this.codec = codec;
        this.broker = broker;
        this.replies = replies;
        this.body = body;
    }

    /**
     * {@code POST /api/users/{user}/send}, body = {@code data}: {@code 200 {"delivered":n}}, n the
     * nodes that hold a connection of the user (0 when none: nothing is stored).
     */
    void send(HttpServerExchange exchange) {
        String user = user(exchange);
        if (user != null) {
            body.read(exchange, (ex, data) -> {
                String frame = codec.encode(new ServerFrame.Direct(Member.SERVER, user, data, System.currentTimeMillis()));
                replies.afterRedis(ex, "send", () -> broker.sendToUser(user, frame),
                        nodes -> new ApiReplies.Reply(200, replies.object().put("delivered", nodes)));
            });
        }
    }

    /** {@code DELETE /api/users/{user}/connections}: {@code 202 {}} once Redis took the disconnect. */
    void disconnect(HttpServerExchange exchange) {
        String user = user(exchange);
        if (user != null) {
            replies.afterRedis(exchange, "disconnect", () -> broker.disconnectUser(user),
                    nodes -> {
                        log.info("server API: user={} disconnected on {} nodes", user, nodes);
                        return new ApiReplies.Reply(202, replies.object());
                    });
        }
    }

    /** The path's user id, or null after answering 400. */
    private String user(HttpServerExchange exchange) {
        String user = ApiRoutes.pathParameter(exchange, "user");
        if (Names.isValidUserId(user)) {
            return user;
        }
        replies.error(exchange, 400, "bad_request", "a user id is 1-128 characters of A-Z a-z 0-9 _ . : @ -");
        return null;
    }
}
