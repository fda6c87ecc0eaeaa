package io.relay.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared steps of the resume ITs ({@code io.relay.it.resume}): publishing numbered messages and
 * keeping their acks, joining with {@code since}, reading a room's whole history range, and
 * reading offsets. Offsets are {@code "<epoch>:<seq>"} (docs/protocol.md); the tests read them
 * only to compare epochs and to check that sequence numbers increase. The Redis key names are
 * those of the README's key table, spelled out here independently of the node's code.
 */
public final class ResumeSupport {
    /** Generous: hundreds of pipelined publishes on two busy cores. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(20);
    private static final int HISTORY_PAGE = 500;
    /**
     * Publishes in flight at once: each brings an ack and the publisher's own copy of the message,
     * so a batch stays well inside the default outbound queue (1024 frames) of the publisher.
     */
    private static final int BATCH = 200;

    /** One acknowledged publish: the offset the publisher's {@code ack} carried, and the data sent. */
    public record Published(String offset, JsonNode data) {
    }

    private ResumeSupport() {
    }

    // ---------------------------------------------------------------- offsets

    /** The epoch of an offset: the part before the last ':'. */
    public static String epoch(String offset) {
        int colon = offset.lastIndexOf(':');
        assertThat(colon).as("offset '%s' has the form <epoch>:<seq>", offset).isPositive();
        return offset.substring(0, colon);
    }

    /** The sequence number of an offset: the part after the last ':'. */
    public static long seq(String offset) {
        int colon = offset.lastIndexOf(':');
        assertThat(colon).as("offset '%s' has the form <epoch>:<seq>", offset).isPositive();
        return Long.parseLong(offset.substring(colon + 1));
    }

    /** The {@code offset} of each frame, in order. */
    public static List<String> offsets(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("offset").asText(null)).toList();
    }

    public static List<String> offsetsOf(List<Published> published) {
        return published.stream().map(Published::offset).toList();
    }

    /** The {@code data} of each message frame, in order. */
    public static List<JsonNode> dataOf(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("data")).toList();
    }

    public static List<JsonNode> dataOfPublished(List<Published> published) {
        return published.stream().map(Published::data).toList();
    }

    /** Fails unless all offsets share one epoch and their sequence numbers strictly increase. */
    public static void assertStrictlyIncreasing(String what, List<String> offsets) {
        for (int i = 1; i < offsets.size(); i++) {
            String before = offsets.get(i - 1);
            String after = offsets.get(i);
            assertThat(epoch(after)).as("%s: epoch of #%d %s after %s", what, i, after, before)
                    .isEqualTo(epoch(before));
            assertThat(seq(after)).as("%s: #%d %s must come strictly after %s", what, i, after, before)
                    .isGreaterThan(seq(before));
        }
    }

    // ---------------------------------------------------------------- publishing

    /** A JSON id (as text) for {@link Frames#id}. */
    public static JsonNode id(String id) {
        return Json.MAPPER.getNodeFactory().textNode(id);
    }

    /** The data of numbered message {@code n} of series {@code tag}: {@code {"tag":tag,"n":n}}. */
    public static ObjectNode data(String tag, int n) {
        return Json.obj("tag", tag, "n", n);
    }

    /**
     * Publishes messages {@code from} .. {@code to-1} of series {@code tag} through one connection,
     * pipelined in batches (a batch sent, then its acks collected), and returns them in order.
     */
    public static List<Published> publishNumbered(TestClient publisher, String room, String tag, int from, int to) {
        List<Published> acks = new ArrayList<>(to - from);
        for (int batch = from; batch < to; batch += BATCH) {
            int end = Math.min(to, batch + BATCH);
            for (int n = batch; n < end; n++) {
                publisher.send(Json.obj("type", "publish", "id", tag + n, "room", room, "data", data(tag, n)));
            }
            for (int n = batch; n < end; n++) {
                JsonNode ack = publisher.await(Frames.id(id(tag + n)), ACK_TIMEOUT, "the ack of " + tag + n);
                publisher.expectType(ack, "ack");
                acks.add(new Published(ack.path("offset").asText(), data(tag, n)));
            }
        }
        return acks;
    }

    /**
     * Publishes messages {@code 0 .. count-1} of series {@code tag}, one at a time (each acked
     * before the next is sent), taking turns through {@code publishers}: the room's order is the
     * numbering.
     */
    public static List<Published> publishInTurns(List<TestClient> publishers, String room, String tag, int count) {
        List<Published> acks = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            TestClient publisher = publishers.get(n % publishers.size());
            acks.addAll(publishNumbered(publisher, room, tag, n, n + 1));
        }
        return acks;
    }

    // ---------------------------------------------------------------- joining and reading

    /** Sends {@code join} with {@code since} and returns the {@code joined} reply (fails on anything else). */
    public static JsonNode joinSince(TestClient client, String room, String since) {
        JsonNode reply = client.call("type", "join", "room", room, "since", since);
        return client.expectType(reply, "joined");
    }

    /** Fails unless {@code joined} says {@code recovered} (a JSON boolean) with {@code missed}. */
    public static void assertRecovered(JsonNode joined, int missed) {
        assertThat(joined.path("recovered").isBoolean()).as("'recovered' is a boolean: %s", joined).isTrue();
        assertThat(joined.path("recovered").asBoolean()).as("recovered: %s", joined).isTrue();
        assertThat(joined.path("missed").isInt()).as("'missed' is a number: %s", joined).isTrue();
        assertThat(joined.path("missed").asInt()).as("missed: %s", joined).isEqualTo(missed);
    }

    /** Fails unless {@code joined} says {@code recovered:false} and {@code missed:0}. */
    public static void assertNotRecovered(JsonNode joined) {
        assertThat(joined.path("recovered").isBoolean()).as("'recovered' is a boolean: %s", joined).isTrue();
        assertThat(joined.path("recovered").asBoolean()).as("recovered: %s", joined).isFalse();
        assertThat(joined.path("missed").asInt(-1)).as("missed: %s", joined).isZero();
    }

    /** The room {@code message} frames the client received so far, consumed or not, in arrival order. */
    public static List<JsonNode> messagesReceived(TestClient client, String room) {
        return client.received().stream().filter(Frames.message(room)).toList();
    }

    /** The frames received after {@code frame} (compared by identity), in arrival order. */
    public static List<JsonNode> after(List<JsonNode> frames, JsonNode frame) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) == frame) {
                return frames.subList(i + 1, frames.size());
            }
        }
        throw new AssertionError("frame not among those received: " + Json.brief(frame, 300));
    }

    /**
     * The room's history after {@code since} (exclusive), read through {@code member} page by page
     * ({@code history} answers at most 500 per request) until {@code count} messages or the end.
     */
    public static List<JsonNode> historyAfter(TestClient member, String room, String since, int count) {
        List<JsonNode> all = new ArrayList<>();
        String from = since;
        while (all.size() < count) {
            int limit = Math.min(HISTORY_PAGE, count - all.size());
            JsonNode reply = member.request(Json.obj("type", "history", "id", member.nextId(), "room", room,
                    "since", from, "limit", limit), ACK_TIMEOUT);
            member.expectType(reply, "history");
            JsonNode page = reply.path("messages");
            if (page.isEmpty()) {
                break;
            }
            page.forEach(all::add);
            from = page.get(page.size() - 1).path("offset").asText();
        }
        return all;
    }

    /** {@code history} without {@code since}: the newest {@code limit} messages, oldest first. */
    public static List<JsonNode> historyNewest(TestClient member, String room, int limit) {
        JsonNode reply = member.request(Json.obj("type", "history", "id", member.nextId(), "room", room,
                "limit", limit), ACK_TIMEOUT);
        member.expectType(reply, "history");
        List<JsonNode> messages = new ArrayList<>();
        reply.path("messages").forEach(messages::add);
        return messages;
    }

    // ---------------------------------------------------------------- Redis keys (README, "Redis keys")

    /** A room's history stream: {@code relay:{room}:history}. */
    public static String historyKey(String room) {
        return "relay:{" + room + "}:history";
    }

    /** A room's meta hash (epoch and seq): {@code relay:{room}:meta}. */
    public static String metaKey(String room) {
        return "relay:{" + room + "}:meta";
    }

    /** The dedup record of an idempotency key: {@code relay:{room}:dedup:<key>}. */
    public static String dedupKey(String room, String key) {
        return "relay:{" + room + "}:dedup:" + key;
    }
}
