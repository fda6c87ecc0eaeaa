package io.relay.hub;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The node-local index of room → subscribers and the fan-out of room frames to them. Knows nothing
 * of JSON, Redis or presence. Every method may be called from any thread; the work runs on the
 * room's lane, in call order, so one room's frames reach every subscriber in the same order.
 */
public final class Hub {
    private final Lanes lanes;
    private final int backlogLimit;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();

    public Hub(Lanes lanes, int backlogLimit) {
        this.lanes = lanes;
        this.backlogLimit = backlogLimit;
    }

    /** Starts a subscriber's join: from now on it collects the room's frames without receiving them. */
    public void addPending(String room, Subscriber s) {
        lane(room).execute(() -> rooms.computeIfAbsent(room, r -> new Room(backlogLimit)).addPending(s));
    }

    /**
     * Completes a join: delivers {@code lead} (the reply, then any replayed messages), then the frames
     * collected meanwhile whose sequence is after {@code afterSeq} (and every frame without one), and
     * from then on every frame as it comes. A subscriber removed in between is left alone.
     */
    public void activate(String room, Subscriber s, List<ByteBuffer> lead, long afterSeq) {
        lane(room).execute(() -> {
            Room r = rooms.get(room);
            if (r != null) {
                r.activate(s, lead, afterSeq);
            }
        });
    }

    /** Removes a subscriber from a room, pending or live. */
    public void remove(String room, Subscriber s) {
        lane(room).execute(() -> {
            Room r = rooms.get(room);
            if (r != null) {
                r.remove(s);
                if (r.isEmpty()) {
                    rooms.remove(room);
                }
            }
        });
    }

    /**
     * Fans one frame out to the room's local subscribers. {@code seq} is the frame's history
     * sequence number, or -1 for frames outside history (presence events). The bytes are wrapped
     * once and shared: each subscriber gets a view, nobody re-encodes.
     */
    public void deliver(String room, byte[] frame, long seq) {
        ByteBuffer shared = ByteBuffer.wrap(frame).asReadOnlyBuffer();
        lane(room).execute(() -> {
            Room r = rooms.get(room);
            if (r != null) {
                r.fanOut(shared, seq);
            }
        });
    }

    /** Runs {@code task} on the lane of {@code key}, after the work already queued there. */
    public void run(String key, Runnable task) {
        lane(key).execute(task);
    }

    /** Rooms with at least one local subscriber. */
    public int roomCount() {
        return rooms.size();
    }

    private Executor lane(String room) {
        return lanes.lane(room);
    }
}
