package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.HostileSocket;
import io.relay.testing.HostileSocket.Response;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, Origin allow-list against cross-site WebSocket hijacking ({@code RELAY_ALLOWED_ORIGINS}):
 * a page from a foreign origin is refused with 403 and a JSON body before the upgrade, even with a
 * valid token (the Origin is checked first); the allowed origin and clients without an Origin
 * (mini-programs, servers) are served. Origins match exactly: scheme, host and port.
 */
class OriginIT {
    private static final String APP = "https://app.example";
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1, b -> b.allowedOrigins(List.of(APP)));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @AfterEach
    void closeClients() {
        cluster.closeClients();
    }

    @Test
    void aForeignOriginIsRefusedWith403BeforeTheUpgrade() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String user = Cluster.unique("victim");
            String token = cluster.token(user, "Victim");
            List<String> foreign = List.of("https://evil.example", "http://app.example", "https://app.example:8443",
                    "https://app.example.evil.example", "https://evil.example/https://app.example", "null",
                    "https://APP.example.evil");
            for (String origin : foreign) {
                assertRefused(HostileSocket.to(cluster.wsBase(0)).label(origin).token(token).header("Origin", origin)
                        .attempt(), origin + " with a header token");
                assertRefused(HostileSocket.to(cluster.wsBase(0)).label(origin).queryToken(token)
                        .header("Origin", origin).attempt(), origin + " with a query token");
            }
            // checked before the token: no token, still 403 (and never 401, which would say the token mattered)
            assertRefused(HostileSocket.to(cluster.wsBase(0)).header("Origin", "https://evil.example").attempt(),
                    "a foreign origin without a token");
            System.out.println("OriginIT foreign: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void theAllowedOriginAndNoOriginAreServed() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String user = Cluster.unique("page");
            TestClient fromApp = cluster.track(cluster.client(0, user).token(cluster.token(user, "Page")).origin(APP)
                    .connect());
            fromApp.ping();
            TestClient withoutOrigin = cluster.connect(0, Cluster.unique("mini-program"), "Mini");
            withoutOrigin.ping();
            try (HostileSocket raw = HostileSocket.to(cluster.wsBase(0)).label("raw-app").token(cluster.token(user, "P"))
                    .header("Origin", APP).open()) {
                raw.await(Frames.type("welcome"), Duration.ofSeconds(5), "the welcome with Origin " + APP);
            }
            System.out.println("OriginIT allowed: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    private static void assertRefused(Response response, String what) {
        assertThat(response.status()).as("%s: %s", what, response).isEqualTo(403);
        assertThat(response.headers()).as("%s: no upgrade: %s", what, response)
                .doesNotContainKey("sec-websocket-accept").doesNotContainKey("upgrade");
        assertThat(response.headers().get("content-type")).as("%s: %s", what, response).startsWith("application/json");
        assertThat(response.json().path("error").asText()).as("%s: %s", what, response).isEqualTo("forbidden");
        assertThat(response.json().path("message").asText()).as("%s: %s", what, response).isNotBlank();
    }
}
