package io.relay.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;

/** {@code GET /metrics}: the node's meters in the Prometheus text format. */
public final class MetricsRoute {
    private MetricsRoute() {
    }

    public static void register(RoutingHandler routes, PrometheusMeterRegistry registry) {
        routes.get("/metrics", exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            exchange.getResponseSender().send(registry.scrape());
        });
    }
}
