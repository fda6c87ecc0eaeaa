package io.relay.it.api;

import static io.relay.testing.RedisKeys.userChannel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Http;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The user routes of the server API, on three nodes: a direct message from the server, and disconnecting a user. */
class ApiUsersIT {
    private static final JsonNode SERVER = Json.obj("id", "$server");
    private static Cluster cluster;
    private static ApiClient api;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(3, config -> config.apiKey(ApiClient.KEY));
        api = ApiClient.withKey(i -> cluster.http(i, ""));
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
    void sendReachesEveryConnectionOfTheUserOnTheOtherNodes() {
        String bob = Cluster.unique("bob");
        List<TestClient> bobs = List.of(cluster.connect(1, bob, "Bob"), cluster.connect(1, bob, "Bob"),
                cluster.connect(2, bob, "Bob"));
        TestClient ann = cluster.connect(1, Cluster.unique("ann"), "Ann");
        awaitUserChannelOnNodes(bob, 2);

        long before = System.currentTimeMillis();
        Http.Response answer = api.post(0, "/api/users/" + bob + "/send", "{\"text\":\"your order shipped\"}");
        long after = System.currentTimeMillis();

        assertThat(answer.status()).as("answer %s", answer).isEqualTo(200);
        assertThat(answer.json()).as("nodes reached").isEqualTo(Json.obj("delivered", 2));
        for (TestClient b : bobs) {
            JsonNode direct = b.await(Frames.type("direct"));
            assertThat(direct.path("from")).isEqualTo(SERVER);
            assertThat(direct.path("to").asText()).isEqualTo(bob);
            assertThat(direct.path("data")).isEqualTo(Json.obj("text", "your order shipped"));
            assertThat(direct.path("ts").asLong()).isBetween(before - 5_000, after + 5_000);
        }
        ann.assertNoFrame(Frames.type("direct"), Duration.ofMillis(300));
    }

    @Test
    void sendToAUserWithoutConnectionsDeliversToNoNode() {
        Http.Response answer = api.post(1, "/api/users/" + Cluster.unique("nobody") + "/send", "{\"n\":1}");

        assertThat(answer.status()).as("answer %s", answer).isEqualTo(200);
        assertThat(answer.json()).isEqualTo(Json.obj("delivered", 0));
    }

    @Test
    void disconnectClosesTheUsersSocketsOnEveryNodeWith4403AndNoOneElses() {
        String room = Cluster.unique("hall");
        String bob = Cluster.unique("bob");
        String carol = Cluster.unique("carol");
        List<TestClient> bobs = List.of(cluster.connect(1, bob, "Bob"), cluster.connect(1, bob, "Bob"),
                cluster.connect(2, bob, "Bob"));
        List<TestClient> carols = List.of(cluster.connect(1, carol, "Carol"), cluster.connect(2, carol, "Carol"));
        carols.get(0).join(room);
        bobs.get(2).join(room);
        awaitUserChannelOnNodes(bob, 2);

        Http.Response sent = api.post(0, "/api/users/" + bob + "/send", "{\"last\":\"words\"}");
        Http.Response answer = api.delete(0, "/api/users/" + bob + "/connections");

        assertThat(sent.json().path("delivered").asInt()).isEqualTo(2);
        assertThat(answer.status()).as("answer %s", answer).isEqualTo(202);
        assertThat(answer.json()).isEqualTo(Json.obj());
        for (TestClient b : bobs) {
            assertThat(b.await(Frames.type("direct")).path("data")).as("sent before the disconnect, so delivered first")
                    .isEqualTo(Json.obj("last", "words"));
            assertThat(b.closeCode()).as("%s closed with", b).isEqualTo(4403);
        }
        carols.get(0).await(Frames.presence(room, "leave", bob));
        for (TestClient c : carols) {
            assertThat(c.isClosed()).isFalse();
            c.ping();
        }
        TestClient again = cluster.connect(1, bob, "Bob");
        assertThat(again.ping().path("type").asText()).as("a disconnect is not a ban").isEqualTo("pong");
    }

    @Test
    void aClientCannotForgeTheDisconnect() {
        String bob = Cluster.unique("bob");
        TestClient victim = cluster.connect(2, bob, "Bob");
        TestClient forger = cluster.connect(0, Cluster.unique("mallory"), "Mallory");
        awaitUserChannelOnNodes(bob, 1);

        for (String data : List.of("{\"type\":\"$disconnect\"}", "\"{\\\"type\\\":\\\"$disconnect\\\"}\"")) {
            forger.send("{\"type\":\"direct\",\"id\":\"f\",\"to\":\"" + bob + "\",\"data\":" + data + "}");
            forger.await(Frames.type("ack"));
            victim.await(Frames.directFrom(forger.welcome().path("user").path("id").asText()));
        }

        assertThat(victim.isClosed()).isFalse();
        assertThat(victim.ping().path("type").asText()).isEqualTo("pong");
    }

    @Test
    void disconnectOfAUserWithoutConnectionsIsAccepted() {
        Http.Response answer = api.delete(2, "/api/users/" + Cluster.unique("nobody") + "/connections");

        assertThat(answer.status()).as("answer %s", answer).isEqualTo(202);
        assertThat(answer.json()).isEqualTo(Json.obj());
    }

    private static void awaitUserChannelOnNodes(String user, long nodes) {
        Poll.until(Duration.ofSeconds(5), () -> cluster.numsub(userChannel(user)) == nodes,
                user + "'s direct channel to be subscribed on " + nodes + " nodes");
    }
}
