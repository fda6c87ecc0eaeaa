package io.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisCommandTimeoutException;
import io.relay.broker.Broker;
import io.relay.history.History;
import io.relay.history.HistoryPage;
import io.relay.history.Offset;
import io.relay.hub.Hub;
import io.relay.hub.Position;
import io.relay.model.ErrorCode;
import io.relay.model.FrameCodec;
import io.relay.model.Member;
import io.relay.model.Names;
import io.relay.model.ServerFrame;
import io.relay.presence.Presence;
import io.relay.session.Session;
import io.relay.session.Session.Membership;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joining and leaving rooms. A join subscribes the node to the room (if it was not already), then,
 * once Redis confirmed the subscription, counts the connection in presence and reads the room's
 * position in one script (and the missed messages for a {@code since}, pipelined with it). Meanwhile the hub
 * keeps the room's live frames for the session and delivers those after the joined offset once the
 * {@code joined} reply (and the replay) went out: nothing missed, nothing twice.
 * <p>
 * Invariant: every room in {@code session.rooms()} holds one broker reference and one hub entry;
 * whoever removes it from the map releases both, and presence if it was counted.
 */
final class Joins {
    private static final Logger log = LoggerFactory.getLogger(Joins.class);

    private final FrameCodec codec;
    private final Hub hub;
    private final Broker broker;
    private final Presence presence;
    private final History history;
    private final int maxRooms;
    private final int maxReplay;

    /** Both presence and position read: what the {@code joined} reply needs. */
    private record Counted(List<Member> members, HistoryPage page) {
    }

    /** The session left the room or closed while its join was under way. */
    private static final class Abandoned extends RuntimeException {
        Abandoned() {
            super(null, null, false, false);
        }
    }

    Joins(FrameCodec codec, Hub hub, Broker broker, Presence presence, History history, int maxRooms, int maxReplay) {
        this.codec = codec;
        this.hub = hub;
        this.broker = broker;
        this.presence = presence;
        this.history = history;
        this.maxRooms = maxRooms;
        this.maxReplay = maxReplay;
    }

    /** The auto-join of {@code /ws/{room}}: replies carry no id. */
    void pathJoin(Session session, String room) {
        if (!Names.isValidRoom(room)) {
            error(session, null, ErrorCode.INVALID_ROOM, "room names are 1-128 characters of A-Z a-z 0-9 _ . : @ -");
            return;
        }
        join(session, null, room, null);
    }

    void join(Session session, JsonNode id, String room, String sinceText) {
        Offset since = sinceText == null ? null : Offset.parse(sinceText);
        if (sinceText != null && since == null) {
            error(session, id, ErrorCode.BAD_REQUEST, "'since' is not an offset given by this server");
            return;
        }
        if (!session.principal().mayJoin(room)) {
            error(session, id, ErrorCode.FORBIDDEN, "your token does not allow room '" + room + "'");
            return;
        }
        synchronized (session) {
            Map<String, Membership> rooms = session.rooms();
            if (rooms.containsKey(room)) {
                rejoin(session, id, room);
                return;
            }
            if (rooms.size() >= maxRooms) {
                error(session, id, ErrorCode.FORBIDDEN, "at most " + maxRooms + " rooms per connection");
                return;
            }
            rooms.put(room, Membership.JOINING);
        }
        hub.addPending(room, session);
        broker.subscribeRoom(room)
                .thenCompose(subscribed -> countAndRead(session, room, since))
                .whenComplete((counted, e) -> {
                    if (e == null) {
                        activate(session, id, room, since, counted);
                    } else {
                        failed(session, id, room, e);
                    }
                });
    }

    void leave(Session session, JsonNode id, String room) {
        Membership membership;
        synchronized (session) {
            membership = session.rooms().remove(room);
        }
        if (membership == null) {
            session.send(new ServerFrame.Left(id, room));
            return;
        }
        release(session, room, membership).whenComplete((ok, e) -> session.send(new ServerFrame.Left(id, room)));
    }

    /** Leaves every room of a closed session. */
    void leaveAll(Session session) {
        Map<String, Membership> rooms;
        synchronized (session) {
            rooms = Map.copyOf(session.rooms());
            session.rooms().clear();
        }
        rooms.forEach((room, membership) -> release(session, room, membership));
    }

    private CompletionStage<Counted> countAndRead(Session session, String room, Offset since) {
        synchronized (session) {
            if (!session.isOpen() || session.rooms().get(room) != Membership.JOINING) {
                return CompletableFuture.failedFuture(new Abandoned());
            }
            session.rooms().put(room, Membership.COUNTED);
        }
        Member member = session.principal().member();
        long now = System.currentTimeMillis();
        String event = codec.encode(new ServerFrame.PresenceEvent(room, "join", member, now));
        CompletionStage<Presence.Arrival> arrival = presence.join(room, member, event, now);
        if (since == null) { // the arrival's position is all the reply needs
            return arrival.thenApply(a -> new Counted(a.members(),
                    HistoryPage.positionOnly(new Offset(a.epoch(), a.seq()))));
        }
        return arrival.thenCombine(history.after(room, since.seq(), maxReplay + 1),
                (a, page) -> new Counted(a.members(), page));
    }

    private void activate(Session session, JsonNode id, String room, Offset since, Counted counted) {
        HistoryPage page = counted.page();
        List<HistoryPage.Entry> replay = List.of();
        Boolean recovered = null;
        if (since != null) {
            recovered = page.canRecoverFrom(since, maxReplay)
                    && page.entries().size() == page.top().seq() - since.seq();
            replay = recovered ? page.entries() : List.of();
        }
        ServerFrame joined = new ServerFrame.Joined(id, room, counted.members(), page.top().toString(), recovered,
                since == null ? null : replay.size());
        List<ByteBuffer> lead = new ArrayList<>(1 + replay.size());
        lead.add(ByteBuffer.wrap(codec.encodeToBytes(joined)));
        for (HistoryPage.Entry entry : replay) {
            lead.add(ByteBuffer.wrap(entry.frame().getBytes(StandardCharsets.UTF_8)));
        }
        hub.activate(room, session, lead, new Position(page.top().epoch(), page.top().seq()));
    }

    private void failed(Session session, JsonNode id, String room, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof Abandoned) {
            return; // whoever removed the room released it
        }
        Membership membership;
        synchronized (session) {
            membership = session.rooms().remove(room);
        }
        if (membership != null) {
            // a timed-out presence join may still have run in Redis: undo it; a refused one never ran
            boolean mayHaveCounted = membership == Membership.COUNTED && cause instanceof RedisCommandTimeoutException;
            release(session, room, mayHaveCounted ? Membership.COUNTED : Membership.JOINING);
        }
        session.inLogContext(() -> log.warn("session={} join {} failed: {}", session.id(), room, cause.toString()));
        error(session, id, ErrorCode.UNAVAILABLE, "Redis did not confirm the join in time; retry");
    }

    /** Answers a join of a room the session is already in: same reply, no presence change. */
    private void rejoin(Session session, JsonNode id, String room) {
        presence.members(room).thenCombine(history.latest(room, 0), Counted::new).whenComplete((c, e) -> {
            if (e != null) {
                error(session, id, ErrorCode.UNAVAILABLE, "Redis did not confirm the join in time; retry");
            } else {
                session.send(new ServerFrame.Joined(id, room, c.members(), c.page().top().toString(), null, null));
            }
        });
    }

    private CompletionStage<?> release(Session session, String room, Membership membership) {
        hub.remove(room, session);
        broker.unsubscribeRoom(room);
        if (membership != Membership.COUNTED) {
            return CompletableFuture.completedFuture(null);
        }
        Member member = session.principal().member();
        long now = System.currentTimeMillis();
        String event = codec.encode(new ServerFrame.PresenceEvent(room, "leave", member, now));
        return presence.leave(room, member.id(), event, now).whenComplete((left, e) -> {
            if (e != null) {
                session.inLogContext(() -> log.warn("session={} presence leave of {} not confirmed: {}", session.id(),
                        room, e.toString()));
            }
        });
    }

    private static void error(Session session, JsonNode id, ErrorCode code, String message) {
        session.send(new ServerFrame.Error(id, code, message));
    }
}
