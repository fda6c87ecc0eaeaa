package io.relay.api;

import io.relay.transport.HttpReplies;
import io.undertow.server.RoutingHandler;
import java.util.function.BooleanSupplier;

/** {@code GET /healthz} (the process is up) and {@code GET /readyz} (the node can serve clients). */
public final class HealthRoutes {
    private HealthRoutes() {
    }

    public static void register(RoutingHandler routes, BooleanSupplier ready) {
        routes.get("/healthz", exchange -> HttpReplies.json(exchange, 200, "{\"status\":\"up\"}"));
        routes.get("/readyz", exchange -> {
            if (ready.getAsBoolean()) {
                HttpReplies.json(exchange, 200, "{\"status\":\"ready\"}");
            } else {
                HttpReplies.json(exchange, 503, "{\"status\":\"not ready\"}");
            }
        });
    }
}
