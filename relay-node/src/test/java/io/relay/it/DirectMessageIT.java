package io.relay.it;

import static io.relay.testing.RedisKeys.userChannel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code direct}: every connection of the recipient on every node, acked with the number of nodes reached. */
class DirectMessageIT {
    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(3);
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
    void directReachesEveryConnectionOfTheRecipientOnEveryNode() {
        String ann = Cluster.unique("ann");
        String bob = Cluster.unique("bob");
        TestClient sender = cluster.connect(0, ann, "Ann");
        List<TestClient> bobs = List.of(cluster.connect(1, bob, "Bob"), cluster.connect(1, bob, "Bob"),
                cluster.connect(2, bob, "Bob"));
        awaitUserChannelOnNodes(bob, 2);

        long before = System.currentTimeMillis();
        JsonNode ack = sender.call("type", "direct", "to", bob, "data", Json.obj("text", "psst"));
        long after = System.currentTimeMillis();

        assertThat(ack.path("type").asText()).as("reply %s", ack).isEqualTo("ack");
        assertThat(ack.path("delivered").asInt(-1)).as("nodes reached: %s", ack).isEqualTo(2);
        for (TestClient b : bobs) {
            JsonNode direct = b.await(Frames.type("direct"));
            assertThat(direct.path("from")).isEqualTo(Json.obj("id", ann, "name", "Ann"));
            assertThat(direct.path("to").asText()).isEqualTo(bob);
            assertThat(direct.path("data")).isEqualTo(Json.obj("text", "psst"));
            assertThat(direct.path("ts").asLong()).isBetween(before - 5_000, after + 5_000);
        }
        List<TestClient> everyone = new ArrayList<>(bobs);
        everyone.add(sender);
        TestClient.assertNoFrame(everyone, Frames.type("direct"), Duration.ofMillis(300));
    }

    @Test
    void directToAUserOnTheSameNodeCountsOneNode() {
        String ann = Cluster.unique("ann");
        String bob = Cluster.unique("bob");
        TestClient sender = cluster.connect(1, ann, "Ann");
        TestClient receiver = cluster.connect(1, bob, "Bob");
        awaitUserChannelOnNodes(bob, 1);

        JsonNode ack = sender.call("type", "direct", "to", bob, "data", 42);

        assertThat(ack.path("delivered").asInt(-1)).as("ack %s", ack).isEqualTo(1);
        assertThat(receiver.await(Frames.type("direct")).path("data").asInt()).isEqualTo(42);
    }

    @Test
    void directToAUserWithoutConnectionsIsRecipientOffline() {
        String ann = Cluster.unique("ann");
        TestClient sender = cluster.connect(0, ann, "Ann");

        JsonNode reply = sender.request(Json.obj("type", "direct", "id", "d-1", "to", Cluster.unique("nobody"),
                "data", "hello?"));

        assertThat(reply.path("type").asText()).as("reply %s", reply).isEqualTo("error");
        assertThat(reply.path("code").asText()).isEqualTo("recipient_offline");
        assertThat(reply.path("id").asText()).isEqualTo("d-1");
        sender.ping();
    }

    @Test
    void directAfterTheRecipientLeftIsRecipientOffline() {
        String ann = Cluster.unique("ann");
        String bob = Cluster.unique("bob");
        TestClient sender = cluster.connect(0, ann, "Ann");
        TestClient receiver = cluster.connect(2, bob, "Bob");
        awaitUserChannelOnNodes(bob, 1);
        receiver.close();
        awaitUserChannelOnNodes(bob, 0);

        JsonNode reply = sender.call("type", "direct", "to", bob, "data", "gone?");

        assertThat(reply.path("code").asText()).as("reply %s", reply).isEqualTo("recipient_offline");
    }

    @Test
    void directCarriesTheTokenIdentityNotTheClaimedOne() {
        String mallory = Cluster.unique("mallory");
        String bob = Cluster.unique("bob");
        TestClient sender = cluster.connect(0, mallory, "Mallory");
        TestClient receiver = cluster.connect(1, bob, "Bob");
        awaitUserChannelOnNodes(bob, 1);

        JsonNode ack = sender.request(Json.obj("type", "direct", "id", 7, "to", bob, "data", "trust me",
                "from", Json.obj("id", "admin", "name", "Admin"), "sender", "admin", "ts", 1));

        assertThat(ack.path("type").asText()).as("reply %s", ack).isEqualTo("ack");
        assertThat(ack.path("id").isNumber()).as("numeric id echoed as a number: %s", ack).isTrue();
        JsonNode direct = receiver.await(Frames.type("direct"));
        assertThat(direct.path("from")).isEqualTo(Json.obj("id", mallory, "name", "Mallory"));
        assertThat(direct.has("sender")).isFalse();
        assertThat(direct.path("ts").asLong()).isGreaterThan(1_000_000_000_000L);
    }

    /** The recipient's nodes hold its user channel: a direct sent now reaches all of them. */
    private static void awaitUserChannelOnNodes(String user, long nodes) {
        Poll.until(Duration.ofSeconds(5), () -> cluster.numsub(userChannel(user)), n -> n == nodes,
                "PUBSUB NUMSUB " + userChannel(user) + " == " + nodes);
    }
}
