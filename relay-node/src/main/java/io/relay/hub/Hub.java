package io.relay.hub;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    private volatile boolean suspended;

    public Hub(Lanes lanes, int backlogLimit) {
        this.lanes = lanes;
        this.backlogLimit = backlogLimit;
    }

    /** Starts a subscriber's join: from now on it collects the room's frames without receiving them. */
    public void addPending(String room, Subscriber s) {
        lane(room).execute(() -> rooms.computeIfAbsent(room, r -> newRoom()).addPending(s));
    }

    /**
     * Completes a join: delivers {@code lead} (the reply, then any replayed messages), then the frames
     * collected meanwhile that come after {@code joinedAt} (and every frame without a position), and
     * from then on every frame as it comes. A subscriber removed in between is left alone.
     */
    public void activate(String room, Subscriber s, List<ByteBuffer> lead, Position joinedAt) {
        onRoom(room, r -> r.activate(s, lead, joinedAt));
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
     * Fans one frame out to the room's local subscribers. {@code at} is the frame's position in the
     * room's history, or {@link Position#NONE} for frames outside it (presence events). The bytes are
     * wrapped once and shared: each subscriber gets a view, nobody re-encodes.
     */
    public void deliver(String room, byte[] frame, Position at) {
        ByteBuffer shared = ByteBuffer.wrap(frame).asReadOnlyBuffer();
        onRoom(room, r -> r.fanOut(shared, at));
    }

    /**
     * Holds every room's live frames (the pub/sub link is down) until each room is resumed; rooms
     * made meanwhile start held too, until {@link #resumeNew()}.
     */
    public void suspendAll() {
        suspended = true;
        forEachRoom(room -> rooms.get(room).suspend());
    }

    /** Rooms made from now on are not held (the link is back); held ones wait for {@link #resume}. */
    public void resumeNew() {
        suspended = false;
    }

    /**
     * Runs {@code action} for every room, on the room's lane, after the work already queued there,
     * so no room whose making was under way is missed.
     */
    public void forEachRoom(java.util.function.Consumer<String> action) {
        lanes.onEachLane(lane -> rooms.keySet().stream()
                .filter(room -> lanes.lane(room) == lane)
                .forEach(action));
    }

    /** The last position delivered in {@code room} (or joined at), read on its lane. */
    public CompletionStage<Position> position(String room) {
        CompletableFuture<Position> result = new CompletableFuture<>();
        lane(room).execute(() -> {
            Room r = rooms.get(room);
            result.complete(r == null ? Position.UNKNOWN : r.position());
        });
        return result;
    }

    /**
     * Ends a room's suspension: {@code replay} (the missed frames, or a gap notice) to every live
     * subscriber first, then the held live frames after {@code repairedTo}; joins that completed
     * meanwhile get the part of the replay after their own join position.
     */
    public void resume(String room, List<Sequenced> replay, Position repairedTo) {
        onRoom(room, r -> r.resume(replay, repairedTo));
    }

    /** Runs {@code task} on the lane of {@code key}, after the work already queued there. */
    public void run(String key, Runnable task) {
        lane(key).execute(task);
    }

    /** Rooms with at least one local subscriber (a snapshot). */
    public Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    public int roomCount() {
        return rooms.size();
    }

    private Room newRoom() {
        Room room = new Room(backlogLimit);
        if (suspended) {
            room.suspend();
        }
        return room;
    }

    private void onRoom(String room, java.util.function.Consumer<Room> action) {
        lane(room).execute(() -> {
            Room r = rooms.get(room);
            if (r != null) {
                action.accept(r);
            }
        });
    }

    private Executor lane(String room) {
        return lanes.lane(room);
    }
}
