package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RELAY_ALLOW_PUBLISH_WITHOUT_JOIN (off by default: see ErrorCodesIT's not_member test): a
 * publish-only client reaches the room's members on every node without joining, within what its
 * token's rooms claim allows.
 */
class PublishWithoutJoinIT {
    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(2, config -> config.allowPublishWithoutJoin(true));
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
    void aPublisherThatDidNotJoinReachesTheMembersOnEveryNode() {
        String room = Cluster.unique("feed");
        TestClient member = cluster.connect(1, "member-" + room, "Member");
        member.join(room);
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");

        JsonNode ack = publisher.publish(room, Json.obj("n", 1));
        assertThat(ack.path("type").asText()).isEqualTo("ack");
        JsonNode message = member.await(Frames.message(room));
        assertThat(message.path("from").path("id").asText()).isEqualTo("pub-" + room);
        assertThat(message.path("offset").asText()).isEqualTo(ack.path("offset").asText());
        publisher.assertNoFrame(Frames.message(room), Duration.ofMillis(300));
    }

    @Test
    void theTokensRoomsClaimStillApplies() {
        String room = Cluster.unique("feed");
        TestClient publisher = cluster.track(cluster.client(0, "limited").token(
                cluster.tokens().mint("limited-" + room, "Limited", Duration.ofHours(1), List.of("other-*"))).connect());
        JsonNode reply = publisher.call("type", "publish", "room", room, "data", Json.obj("n", 1));
        assertThat(reply.path("type").asText()).isEqualTo("error");
        assertThat(reply.path("code").asText()).isEqualTo("forbidden");
    }
}
