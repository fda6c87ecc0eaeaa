package io.relay.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relay.auth.TokenMinter;
import io.relay.model.Names;
import io.relay.transport.HttpReplies;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import java.time.Duration;
import java.util.Deque;

/**
 * {@code POST /dev/token?user=..&name=..}: development mode only (no JWT key configured). Mints a
 * token with the node's random secret so the demo page and curl users can connect.
 */
public final class DevTokenRoute {
    static final Duration TTL = Duration.ofHours(24);

    private final TokenMinter minter;

    private DevTokenRoute(TokenMinter minter) {
        this.minter = minter;
    }

    public static void register(RoutingHandler routes, TokenMinter minter) {
        routes.post("/dev/token", new DevTokenRoute(minter)::handle);
    }

    private void handle(HttpServerExchange exchange) {
        String user = param(exchange, "user");
        String name = param(exchange, "name");
        if (!Names.isValidUserId(user)) {
            HttpReplies.error(exchange, 400, "bad_request", "user must be 1-128 characters of A-Z a-z 0-9 _ . @ : -");
            return;
        }
        if (name != null && name.length() > Names.MAX_LENGTH) {
            HttpReplies.error(exchange, 400, "bad_request", "name must be at most 128 characters");
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("token", minter.mint(user, name, TTL));
        body.put("expiresIn", TTL.toSeconds());
        HttpReplies.json(exchange, 200, body.toString());
    }

    private static String param(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null ? null : values.peekFirst();
    }
}
