package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import io.relay.testing.Tokens;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Close code 4001: a connection whose token expires and is not refreshed is closed within 5 s after
 * {@code exp} plus the 5 s leeway; a refreshed one stays.
 */
class TokenExpiryIT {
    private static final Duration TTL = Duration.ofSeconds(2);
    /** exp (at most TTL away) + 5 s leeway + 5 s to notice, with slack for a busy machine. */
    private static final Duration CLOSED_WITHIN = TTL.plusSeconds(5 + 5 + 4);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void anExpiredTokenClosesWith4001UnlessRefreshed() {
        String stale = Cluster.unique("stale");
        String fresh = Cluster.unique("fresh");
        TestClient expiring = cluster.track(cluster.client(0, stale)
                .token(cluster.tokens().mint(stale, "Stale", TTL)).connect());
        TestClient refreshed = cluster.track(cluster.client(0, fresh)
                .token(cluster.tokens().mint(fresh, "Fresh", TTL)).connect());
        String longer = cluster.tokens().mint(fresh, "Fresh", Duration.ofHours(1));
        JsonNode reply = refreshed.request(Json.obj("type", "refresh", "id", "r", "token", longer));
        refreshed.expectType(reply, "refreshed");
        assertThat(reply.path("exp").asLong()).isEqualTo(Tokens.expiresAt(longer));

        assertThat(expiring.closeCode(CLOSED_WITHIN)).isEqualTo(4001);

        // both tokens had the same exp; the refreshed connection is past it and still served
        assertThat(refreshed.isClosed()).as("the refreshed connection was closed").isFalse();
        refreshed.ping();
        cluster.closeClients();
    }
}
