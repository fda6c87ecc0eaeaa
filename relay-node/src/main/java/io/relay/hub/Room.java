package io.relay.hub;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One room's local subscribers and the room's delivered position. Confined to the room's lane: no
 * locks. A joining subscriber is pending until its join completes; meanwhile the frames it would
 * have received are kept for it, so none published after its join offset is lost and none before
 * it is sent twice. While the node's pub/sub link is being repaired the room is suspended: live
 * frames are held until the missed ones have been replayed from history.
 * <p>
 * A join's or a repair's history read comes back on the command connection and may overtake
 * messages Redis had already sent on the pub/sub connection; those arrive afterwards, already
 * delivered. So the room skips live frames at or before its position, and each subscriber that
 * joined ahead of the room's position has a floor below which it gets nothing, until the live
 * stream passes it.
 */
final class Room {
    private final Set<Subscriber> live = new HashSet<>();
    private final Map<Subscriber, Backlog> pending = new HashMap<>();
    private final Map<Subscriber, Activation> waiting = new LinkedHashMap<>();
    private final Map<Subscriber, Position> floors = new HashMap<>();
    private final int backlogLimit;
    private Position position = Position.UNKNOWN;
    private Backlog held;

    private record Activation(List<ByteBuffer> lead, Position joinedAt) {
    }

    Room(int backlogLimit) {
        this.backlogLimit = backlogLimit;
    }

    void addPending(Subscriber s) {
        if (!live.contains(s)) {
            pending.putIfAbsent(s, new Backlog());
        }
    }

    /** Sends {@code lead} (reply, replayed messages), then the backlog after {@code joinedAt}, then goes live. */
    void activate(Subscriber s, List<ByteBuffer> lead, Position joinedAt) {
        if (held != null && pending.containsKey(s)) {
            waiting.put(s, new Activation(lead, joinedAt)); // after the repair, so it cannot overtake it
            return;
        }
        Backlog backlog = pending.remove(s);
        if (backlog == null) {
            return; // left or closed while joining
        }
        lead.forEach(s::deliver);
        backlog.deliverAfter(joinedAt.seq(), s);
        goLive(s, joinedAt);
    }

    /** {@code s} has everything up to {@code reached}; the live stream may still be behind that. */
    private void goLive(Subscriber s, Position reached) {
        live.add(s);
        if (!position.isKnown()) {
            position = reached;
        } else if (isAhead(reached, position)) {
            floors.put(s, reached);
        }
    }

    void remove(Subscriber s) {
        live.remove(s);
        floors.remove(s);
        pending.remove(s);
        waiting.remove(s);
    }

    /** Hands the same bytes to every live subscriber and keeps them for pending ones. */
    void fanOut(ByteBuffer frame, Position at) {
        if (held != null) {
            held.add(frame, at.seq());
        } else {
            deliverLive(frame, at);
        }
        if (!pending.isEmpty()) {
            keepForPending(frame, at.seq());
        }
    }

    /** Holds live frames from now on, until {@link #resume}. */
    void suspend() {
        if (held == null) {
            held = new Backlog();
        }
    }

    Position position() {
        return position;
    }

    /**
     * Ends a suspension: sends {@code replay} (the missed messages, or a gap notice) to every live
     * subscriber, moves to {@code repairedTo}, releases the held frames after it, then completes the
     * joins that waited, each with the part of the replay after its own join position.
     */
    void resume(List<Sequenced> replay, Position repairedTo) {
        if (held == null) {
            return;
        }
        for (Subscriber s : live) {
            replay.forEach(r -> deliverTo(s, r.frame(), new Position(repairedTo.epoch(), r.seq())));
        }
        position = repairedTo;
        Backlog released = held;
        held = null;
        for (int i = 0; i < released.frames.size(); i++) {
            long seq = released.seqs.get(i);
            if (seq < 0 || seq > position.seq()) {
                deliverLive(released.frames.get(i), new Position(position.epoch(), seq));
            }
        }
        Map<Subscriber, Activation> ready = new LinkedHashMap<>(waiting);
        waiting.clear();
        ready.forEach((s, a) -> activateAfterRepair(s, a, replay, repairedTo));
    }

    private void activateAfterRepair(Subscriber s, Activation a, List<Sequenced> replay, Position repairedTo) {
        Backlog backlog = pending.remove(s);
        if (backlog == null) {
            return;
        }
        a.lead().forEach(s::deliver);
        long joined = a.joinedAt().seq();
        replay.stream().filter(r -> r.seq() < 0 || r.seq() > joined).forEach(r -> s.deliver(r.frame().duplicate()));
        backlog.deliverAfter(Math.max(joined, repairedTo.seq()), s);
        goLive(s, isAhead(a.joinedAt(), repairedTo) ? a.joinedAt() : repairedTo);
    }

    boolean isEmpty() {
        return live.isEmpty() && pending.isEmpty();
    }

    private void deliverLive(ByteBuffer frame, Position at) {
        if (at.isKnown() && !isAhead(at, position)) {
            return; // already delivered by a replay that overtook it
        }
        if (floors.isEmpty()) {
            for (Subscriber s : live) {
                s.deliver(frame.duplicate());
            }
        } else {
            for (Subscriber s : live) {
                deliverTo(s, frame, at);
            }
        }
        position = position.advancedTo(at);
    }

    /** Delivers unless {@code s} joined at or after {@code at}; a frame past its floor lifts the floor. */
    private void deliverTo(Subscriber s, ByteBuffer frame, Position at) {
        Position floor = floors.get(s);
        if (floor != null && at.isKnown()) {
            if (!isAhead(at, floor)) {
                return;
            }
            floors.remove(s);
        }
        s.deliver(frame.duplicate());
    }

    /** True when {@code a} comes after {@code b}: a later sequence in the same epoch, or another epoch. */
    private static boolean isAhead(Position a, Position b) {
        if (!a.isKnown()) {
            return false;
        }
        return !b.isKnown() || !a.epoch().equals(b.epoch()) || a.seq() > b.seq();
    }

    private void keepForPending(ByteBuffer frame, long seq) {
        List<Subscriber> behind = new ArrayList<>();
        pending.forEach((s, backlog) -> {
            if (backlog.frames.size() >= backlogLimit) {
                behind.add(s);
            } else {
                backlog.add(frame, seq);
            }
        });
        for (Subscriber s : behind) {
            pending.remove(s);
            waiting.remove(s);
            s.overflowed();
        }
    }

    private static final class Backlog {
        final List<ByteBuffer> frames = new ArrayList<>();
        final List<Long> seqs = new ArrayList<>();

        void add(ByteBuffer frame, long seq) {
            frames.add(frame);
            seqs.add(seq);
        }

        void deliverAfter(long afterSeq, Subscriber s) {
            for (int i = 0; i < frames.size(); i++) {
                long seq = seqs.get(i);
                if (seq < 0 || seq > afterSeq) {
                    s.deliver(frames.get(i).duplicate());
                }
            }
        }
    }
}
