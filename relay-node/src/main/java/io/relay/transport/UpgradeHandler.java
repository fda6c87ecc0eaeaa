package io.relay.transport;

import io.relay.auth.AuthException;
import io.relay.auth.Principal;
import io.relay.auth.TokenExtractor;
import io.relay.auth.TokenVerifier;
import io.relay.session.Sessions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Everything checked before a WebSocket upgrade, in PROTOCOL.md's order of answers: 503 when the
 * node cannot serve, 403 for a foreign Origin, 401 for a missing or bad token, 429 when the user has
 * too many connections here. Only then does the handshake run. Tokens are never logged.
 */
final class UpgradeHandler implements HttpHandler {
    static final AttachmentKey<Principal> PRINCIPAL = AttachmentKey.create(Principal.class);
    static final AttachmentKey<String> ROOM = AttachmentKey.create(String.class);
    private static final HttpString TOKEN_HEADER = new HttpString("token");
    private static final String ROOM_PATH = "/ws/";

    private final TokenVerifier verifier;
    private final Sessions sessions;
    private final BooleanSupplier ready;
    private final List<String> allowedOrigins;
    private final boolean anyOrigin;
    private final HttpHandler handshake;

    /** {@code allowedOrigins} null with {@code anyOrigin} false: only clients without an Origin. */
    UpgradeHandler(TokenVerifier verifier, Sessions sessions, BooleanSupplier ready, List<String> allowedOrigins,
                   boolean anyOrigin, HttpHandler handshake) {
        this.verifier = verifier;
        this.sessions = sessions;
        this.ready = ready;
        this.allowedOrigins = allowedOrigins == null ? List.of() : allowedOrigins;
        this.anyOrigin = anyOrigin;
        this.handshake = handshake;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (!ready.getAsBoolean()) {
            HttpReplies.error(exchange, 503, "unavailable", "this node cannot serve now: try another");
            return;
        }
        if (!originAllowed(exchange.getRequestHeaders().getFirst(Headers.ORIGIN))) {
            HttpReplies.error(exchange, 403, "forbidden", "origin not allowed");
            return;
        }
        Principal principal = authenticate(exchange);
        if (principal == null) {
            return;
        }
        if (!sessions.hasRoomFor(principal.userId())) {
            HttpReplies.error(exchange, 429, "too_many_connections", "too many open connections for this user");
            return;
        }
        exchange.putAttachment(PRINCIPAL, principal);
        String room = pathRoom(exchange.getRequestPath());
        if (room != null) {
            exchange.putAttachment(ROOM, room);
        }
        handshake.handleRequest(exchange);
    }

    private Principal authenticate(HttpServerExchange exchange) {
        Deque<String> query = exchange.getQueryParameters().get("token");
        String token = TokenExtractor.extract(
                exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION),
                exchange.getRequestHeaders().getFirst(TOKEN_HEADER),
                query == null ? null : query.peekFirst());
        if (token == null) {
            HttpReplies.error(exchange, 401, "unauthorized", "missing token");
            return null;
        }
        try {
            return verifier.verify(token);
        } catch (AuthException e) {
            HttpReplies.error(exchange, 401, "unauthorized", e.getMessage().replace('"', '\''));
            return null;
        }
    }

    /**
     * The room of {@code /ws/{room}}: the whole decoded rest of the path, validated later. The path
     * template would stop at a decoded {@code ?} ({@code /ws/a%3F} would join {@code a}).
     */
    private static String pathRoom(String decodedPath) {
        return decodedPath.startsWith(ROOM_PATH) ? decodedPath.substring(ROOM_PATH.length()) : null;
    }

    private boolean originAllowed(String origin) {
        return origin == null || anyOrigin || allowedOrigins.contains(origin);
    }
}
