package io.relay.api;

import io.relay.broker.Broker;
import io.relay.history.History;
import io.relay.model.FrameCodec;
import io.relay.presence.Presence;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.PathTemplateMatch;
import java.util.List;
import java.util.Map;

/**
 * The server API under {@code /api} (DESIGN.md, "HTTP on the same port"), for the application's
 * own back end. Every request needs {@code Authorization: Bearer $RELAY_API_KEY}; the routes exist
 * only when a key is configured (without one every {@code /api} path is a 404). Then, in order:
 * 401 for a missing or wrong key, 404 for an unknown route, 405 for a wrong method, and the route.
 */
public final class ApiRoutes {
    /** Methods answered with 405 on a known route; any other method falls through to the 404 fallback. */
    private static final List<HttpString> METHODS = List.of(Methods.GET, Methods.HEAD, Methods.POST, Methods.PUT,
            Methods.DELETE, Methods.PATCH, Methods.OPTIONS);

    /** One API route: its only method and its handler. */
    private record Endpoint(HttpString method, HttpHandler handler) {
    }

    private final ApiAuth auth;
    private final ApiReplies replies;
    private final Map<String, Endpoint> endpoints;

    private ApiRoutes(ApiAuth auth, ApiReplies replies, RoomEndpoints rooms, UserEndpoints users) {
        this.auth = auth;
        this.replies = replies;
        this.endpoints = Map.of(
                "rooms/publish", new Endpoint(Methods.POST, rooms::publish),
                "rooms/presence", new Endpoint(Methods.GET, rooms::presence),
                "rooms/history", new Endpoint(Methods.GET, rooms::history),
                "users/send", new Endpoint(Methods.POST, users::send),
                "users/connections", new Endpoint(Methods.DELETE, users::disconnect));
    }

    /**
     * Adds the API to {@code routes} when {@code apiKey} is set (non-null). Bodies are limited to
     * {@code maxBodyBytes} (the frame limit: an API message is no larger than a client's).
     */
    public static void register(RoutingHandler routes, String apiKey, int maxBodyBytes, FrameCodec codec,
                                Broker broker, Presence presence, History history) {
        if (apiKey == null) {
            return;
        }
        ApiReplies replies = new ApiReplies(codec.mapper());
        JsonBody body = new JsonBody(codec.mapper(), maxBodyBytes, replies);
        ApiRoutes api = new ApiRoutes(new ApiAuth(apiKey), replies,
                new RoomEndpoints(codec, broker, presence, history, replies, body),
                new UserEndpoints(codec, broker, replies, body));
        for (HttpString method : METHODS) {
            routes.add(method, "/api/rooms/{room}/{action}", exchange -> api.handle("rooms", exchange));
            routes.add(method, "/api/users/{user}/{action}", exchange -> api.handle("users", exchange));
        }
    }

    /** A parameter of the matched path template, e.g. {@code room} (decoded, not yet validated). */
    static String pathParameter(HttpServerExchange exchange, String name) {
        return exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get(name);
    }

    private void handle(String kind, HttpServerExchange exchange) throws Exception {
        if (!auth.permits(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION))) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            replies.error(exchange, 401, "unauthorized", "missing or wrong API key (Authorization: Bearer <key>)");
            return;
        }
        Endpoint endpoint = endpoints.get(kind + "/" + pathParameter(exchange, "action"));
        if (endpoint == null) {
            replies.error(exchange, 404, "not_found", "no such route");
        } else if (!endpoint.method().equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().put(Headers.ALLOW, endpoint.method().toString());
            replies.error(exchange, 405, "method_not_allowed", "use " + endpoint.method() + " on this route");
        } else {
            endpoint.handler().handleRequest(exchange);
        }
    }
}
