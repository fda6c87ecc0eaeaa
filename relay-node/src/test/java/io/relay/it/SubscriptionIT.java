package io.relay.it;

import static io.relay.testing.RedisKeys.roomChannel;
import static io.relay.testing.RedisKeys.userChannel;
import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Json;
import io.relay.testing.Poll;
import io.relay.testing.TestClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which Redis channels a node holds (DESIGN.md): a room channel only while the node has a local
 * member (plus the 1 s unsubscribe delay of the test config), a user channel only while that user
 * has a local connection. Redis counts one subscriber per node, so NUMSUB tells how many nodes hold it.
 */
class SubscriptionIT {
    /** The unsubscribe delay (1 s) plus generous slack for a busy machine. */
    private static final Duration GONE_WITHIN = Duration.ofSeconds(5);

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
    void roomChannelIsHeldOnlyByNodesWithALocalMember() {
        String room = Cluster.unique("sub-members");
        String channel = roomChannel(room);
        assertThat(cluster.numsub(channel)).isZero();

        TestClient onA = cluster.connect(0, "ann-" + room, "Ann");
        onA.join(room);
        awaitSubscribers(channel, 1);

        TestClient onB = cluster.connect(1, "bob-" + room, "Bob");
        onB.join(room);
        awaitSubscribers(channel, 2);

        // a connection on node-c that is not in the room does not make node-c subscribe
        TestClient idleOnC = cluster.connect(2, "cid-" + room, "Cid");
        idleOnC.join(Cluster.unique("elsewhere"));
        idleOnC.ping();
        assertThat(cluster.numsub(channel)).as("NUMSUB %s with members on node-a and node-b only", channel)
                .isEqualTo(2);

        // a second member on node-a does not add a subscription either
        TestClient secondOnA = cluster.connect(0, "dan-" + room, "Dan");
        secondOnA.join(room);
        secondOnA.ping();
        assertThat(cluster.numsub(channel)).isEqualTo(2);
    }

    @Test
    void roomChannelIsDroppedAfterTheLastLocalMemberLeaves() {
        String room = Cluster.unique("sub-leave");
        String channel = roomChannel(room);
        TestClient ann = cluster.connect(0, "ann-" + room, "Ann");
        TestClient bob = cluster.connect(0, "bob-" + room, "Bob");
        ann.join(room);
        bob.join(room);
        awaitSubscribers(channel, 1);

        ann.leave(room);
        Poll.during(Duration.ofMillis(1_500), () -> cluster.numsub(channel) == 1,
                "node-a keeps " + channel + " while bob is still a member");

        bob.leave(room);
        awaitSubscribers(channel, 0);
        assertThat(cluster.redis().commands().pubsubChannels("relay:{" + room + "}*")).isEmpty();
    }

    @Test
    void roomChannelIsDroppedAfterTheLastLocalMemberDisconnects() {
        String room = Cluster.unique("sub-close");
        String channel = roomChannel(room);
        TestClient onA = cluster.connect(0, "ann-" + room, "Ann");
        TestClient onB = cluster.connect(1, "bob-" + room, "Bob");
        onA.join(room);
        onB.join(room);
        awaitSubscribers(channel, 2);

        onA.close();
        awaitSubscribers(channel, 1);
        onB.close();
        awaitSubscribers(channel, 0);
    }

    @Test
    void rejoiningWithinTheDelayKeepsTheSubscription() {
        String room = Cluster.unique("sub-churn");
        String channel = roomChannel(room);
        TestClient ann = cluster.connect(0, "ann-" + room, "Ann");
        ann.join(room);
        awaitSubscribers(channel, 1);

        for (int i = 0; i < 3; i++) {
            ann.leave(room);
            ann.join(room);
        }
        // well past the 1 s delay of the leaves: the rejoin must have cancelled the unsubscribe
        Poll.during(Duration.ofMillis(2_500), () -> cluster.numsub(channel) == 1,
                "node-a keeps " + channel + " after leave/join churn");

        // and the subscription is live, not just counted: a message from another node arrives
        TestClient bob = cluster.connect(1, "bob-" + room, "Bob");
        bob.join(room);
        bob.publish(room, Json.obj("text", "after churn"));
        ann.await(Frames.message(room));
    }

    @Test
    void leavingAndComingBackAfterTheDelayResubscribes() {
        String room = Cluster.unique("sub-again");
        String channel = roomChannel(room);
        TestClient ann = cluster.connect(0, "ann-" + room, "Ann");
        ann.join(room);
        awaitSubscribers(channel, 1);
        ann.leave(room);
        awaitSubscribers(channel, 0);

        ann.join(room);
        awaitSubscribers(channel, 1);
        TestClient bob = cluster.connect(2, "bob-" + room, "Bob");
        bob.join(room);
        bob.publish(room, Json.obj("text", "back again"));
        ann.await(Frames.message(room));
    }

    @Test
    void userChannelIsHeldExactlyWhileTheUserHasALocalConnection() {
        String user = Cluster.unique("sub-user");
        String channel = userChannel(user);
        assertThat(cluster.numsub(channel)).isZero();

        TestClient first = cluster.connect(0, user, "User");
        awaitSubscribers(channel, 1);
        TestClient second = cluster.connect(0, user, "User");
        TestClient third = cluster.connect(1, user, "User");
        awaitSubscribers(channel, 2);

        third.close();
        awaitSubscribers(channel, 1);
        first.close();
        second.ping();
        Poll.during(Duration.ofMillis(700), () -> cluster.numsub(channel) == 1,
                "node-a keeps " + channel + " while " + user + " still has a connection there");
        second.close();
        awaitSubscribers(channel, 0);
    }

    private static void awaitSubscribers(String channel, long count) {
        Poll.until(GONE_WITHIN, () -> cluster.numsub(channel), n -> n == count,
                "PUBSUB NUMSUB " + channel + " == " + count);
    }
}
