package io.relay.hub;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One room's local subscribers. Confined to the room's lane: no locks. A joining subscriber is
 * pending until its join completes; meanwhile the frames it would have received are kept for it,
 * so none published after its join offset is lost and none before it is sent twice.
 */
final class Room {
    private final Set<Subscriber> live = new HashSet<>();
    private final Map<Subscriber, Backlog> pending = new HashMap<>();
    private final int backlogLimit;

    Room(int backlogLimit) {
        this.backlogLimit = backlogLimit;
    }

    void addPending(Subscriber s) {
        if (!live.contains(s)) {
            pending.putIfAbsent(s, new Backlog());
        }
    }

    /** Sends {@code lead} (reply, replayed messages), then the backlog after {@code afterSeq}, then goes live. */
    void activate(Subscriber s, List<ByteBuffer> lead, long afterSeq) {
        Backlog backlog = pending.remove(s);
        if (backlog == null) {
            return; // left or closed while joining
        }
        lead.forEach(s::deliver);
        for (int i = 0; i < backlog.frames.size(); i++) {
            long seq = backlog.seqs.get(i);
            if (seq < 0 || seq > afterSeq) {
                s.deliver(backlog.frames.get(i).duplicate());
            }
        }
        live.add(s);
    }

    void remove(Subscriber s) {
        live.remove(s);
        pending.remove(s);
    }

    /** Hands the same bytes to every live subscriber and keeps them for pending ones. */
    void fanOut(ByteBuffer frame, long seq) {
        for (Subscriber s : live) {
            s.deliver(frame.duplicate());
        }
        if (!pending.isEmpty()) {
            keepForPending(frame, seq);
        }
    }

    boolean isEmpty() {
        return live.isEmpty() && pending.isEmpty();
    }

    int size() {
        return live.size() + pending.size();
    }

    private void keepForPending(ByteBuffer frame, long seq) {
        List<Subscriber> behind = new ArrayList<>();
        pending.forEach((s, backlog) -> {
            if (backlog.frames.size() >= backlogLimit) {
                behind.add(s);
            } else {
                backlog.frames.add(frame);
                backlog.seqs.add(seq);
            }
        });
        for (Subscriber s : behind) {
            pending.remove(s);
            s.overflowed();
        }
    }

    private static final class Backlog {
        final List<ByteBuffer> frames = new ArrayList<>();
        final List<Long> seqs = new ArrayList<>();
    }
}
