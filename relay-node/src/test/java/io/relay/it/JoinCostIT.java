package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.TestClient;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a join costs Redis, as an operator reads it from {@code INFO commandstats}: a join without
 * {@code since} is one script call (presence, roster and the room's position together); a join
 * with {@code since} adds the history read that its replay needs.
 */
class JoinCostIT {
    private static final Pattern EVALSHA_CALLS = Pattern.compile("cmdstat_evalsha:calls=(\\d+)");

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
    void aJoinIsOneScriptCall() {
        String room = Cluster.unique("cost");
        TestClient first = cluster.connect(0, "first-" + room, "First");
        TestClient second = cluster.connect(0, "second-" + room, "Second");

        long before = scriptCalls();
        first.join(room);
        assertThat(scriptCalls() - before).as("script calls for a join of a new room").isEqualTo(1);

        before = scriptCalls();
        JsonNode joined = second.join(room);
        assertThat(scriptCalls() - before).as("script calls for a join of a room with members").isEqualTo(1);
        assertThat(joined.path("members")).hasSize(2);
    }

    @Test
    void aJoinWithSinceAlsoReadsTheHistory() {
        String room = Cluster.unique("cost-since");
        TestClient publisher = cluster.connect(0, "pub-" + room, "Pub");
        String offset = publisher.join(room).path("offset").asText();
        publisher.publish(room, "missed");

        TestClient late = cluster.connect(0, "late-" + room, "Late");
        long before = scriptCalls();
        JsonNode joined = late.expectType(late.call("type", "join", "room", room, "since", offset), "joined");
        assertThat(scriptCalls() - before).as("presence, then the replay's history read").isEqualTo(2);
        assertThat(joined.path("recovered").asBoolean()).isTrue();
    }

    /** Script calls Redis counted so far (the node runs every script with EVALSHA). */
    private static long scriptCalls() {
        Matcher m = EVALSHA_CALLS.matcher(cluster.redis().commands().info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
