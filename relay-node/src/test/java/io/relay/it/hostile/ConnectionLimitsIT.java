package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.HostileSocket;
import io.relay.testing.HostileSocket.Response;
import io.relay.testing.HostileStall;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.RedisKeys;
import io.relay.testing.TestClient;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, connection limits: at most {@code RELAY_MAX_CONNECTIONS_PER_USER} (default 20) connections
 * of one user on a node, the rest refused with 429 before the upgrade; at most
 * {@code RELAY_MAX_ROOMS_PER_CONNECTION} rooms per connection (5 here), one more join is
 * {@code forbidden} with a message naming the limit; and a connection that never completes its
 * upgrade request is dropped within about 10 s.
 */
class ConnectionLimitsIT {
    private static final int PER_USER = 20;
    private static final int ATTEMPTS = 50;
    private static final int MAX_ROOMS = 5;
    private static final Duration DROPPED_WITHIN = Duration.ofSeconds(12);
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1, b -> b.maxRoomsPerConnection(MAX_ROOMS));
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
    void fiftyConnectionsOfOneUserGetTwentyAndThirty429sBeforeTheUpgrade() {
        assertThat(cluster.config(0).maxConnectionsPerUser()).as("the default limit").isEqualTo(PER_USER);
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String user = Cluster.unique("hoarder");
            String token = cluster.token(user, "Hoarder");
            List<HostileSocket> open = new ArrayList<>();
            try {
                for (int i = 1; i <= ATTEMPTS; i++) {
                    HostileSocket.Builder attempt = HostileSocket.to(cluster.wsBase(0)).label(user + "#" + i).token(token);
                    if (i <= PER_USER) {
                        HostileSocket socket = attempt.open();
                        open.add(socket);
                        socket.await(Frames.type("welcome"), Duration.ofSeconds(5), "welcome of connection " + i);
                    } else {
                        Response refused = attempt.attempt();
                        assertThat(refused.status()).as("connection %d of %s: %s", i, user, refused).isEqualTo(429);
                        assertThat(refused.headers()).as("refused before the upgrade: %s", refused)
                                .doesNotContainKey("sec-websocket-accept").doesNotContainKey("upgrade");
                        assertThat(refused.json().path("error").asText()).isEqualTo("too_many_connections");
                        assertThat(refused.json().path("message").asText()).isNotBlank();
                    }
                }
                for (HostileSocket socket : open) {
                    assertThat(socket.isClosed()).as("%s, within the limit, stays open", socket).isFalse();
                }
                // a place freed is a place taken again
                open.remove(0).close();
                HostileSocket again = Poll.until(Duration.ofSeconds(5), () -> HostileSocket.to(cluster.wsBase(0))
                        .label(user + "#again").token(token).open(), s -> true, "a connection after one closed");
                open.add(again);
            } finally {
                open.forEach(HostileSocket::close);
            }
            System.out.println("ConnectionLimitsIT 50 connections: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void theSixthRoomOfAConnectionIsForbiddenWithTheLimitInTheMessage() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            String tag = Cluster.unique("rooms");
            TestClient client = cluster.connect(0, "collector-" + tag, "Collector");
            for (int i = 1; i <= MAX_ROOMS; i++) {
                client.join(tag + "-" + i);
            }
            String sixth = tag + "-" + (MAX_ROOMS + 1);
            JsonNode refused = client.request(Json.obj("type", "join", "id", "sixth", "room", sixth));
            assertThat(refused.path("type").asText()).as("reply %s", refused).isEqualTo("error");
            assertThat(refused.path("code").asText()).as("reply %s", refused).isEqualTo("forbidden");
            assertThat(refused.path("id").asText()).isEqualTo("sixth");
            assertThat(refused.path("message").asText()).as("the message names the limit: %s", refused)
                    .contains(Integer.toString(MAX_ROOMS)).containsIgnoringCase("room");
            assertThat(cluster.redis().commands().hexists(RedisKeys.presence(sixth), "collector-" + tag))
                    .as("presence in the refused room").isFalse();
            client.assertNoFrame(Frames.presenceEvent(sixth), Duration.ofMillis(200));

            client.leave(tag + "-1");
            client.join(sixth);
            client.ping();
            System.out.println("ConnectionLimitsIT rooms: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void anUpgradeThatIsNeverCompletedIsDroppedWithinTenSeconds() {
        try (HostileBystander bystander = HostileBystander.on(cluster, 0)) {
            int mark = bystander.mark();
            long start = System.nanoTime();
            List<Socket> stalled = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                stalled.add(HostileStall.sendAndStall(cluster.wsBase(0), "GET /ws HTT"));
            }
            for (int i = 0; i < 5; i++) {
                stalled.add(HostileStall.sendAndStall(cluster.wsBase(0), "GET /ws HTTP/1.1\r\nHost: x\r\nUpgr"));
            }
            for (int i = 0; i < 5; i++) {
                stalled.add(HostileStall.sendAndStall(cluster.wsBase(0), ""));
            }
            long deadline = start + DROPPED_WITHIN.toNanos();
            long last = 0;
            for (int i = 0; i < stalled.size(); i++) {
                HostileStall.awaitEnd(stalled.get(i), deadline, "stalled upgrade #" + i);
                last = System.nanoTime() - start;
            }
            System.out.printf("ConnectionLimitsIT: %d stalled upgrades all dropped within %d ms%n", stalled.size(),
                    last / 1_000_000);
            System.out.println("ConnectionLimitsIT stalled: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }
}
