package io.relay.presence;

import io.relay.model.Member;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Who is in which room, across all nodes, and the join/leave record of every user who ever was.
 * Counts connections per user per node, so a user is present while any of its connections on any
 * node is in the room. Join and leave events are published to the room exactly on a user's first
 * connection in and last connection out, atomically with the change. Stages complete on a Redis I/O
 * thread and fail when Redis did not answer within the command timeout.
 */
public interface Presence {
    /**
     * A counted join: the room's members after it, the user included, and the room's position
     * (epoch and top sequence number of its history) read in the same atomic step.
     */
    record Arrival(List<Member> members, String epoch, long seq) {
    }

    /**
     * Counts one more connection of {@code user} in {@code room} on this node; publishes
     * {@code joinEvent} (a complete frame) if it is the user's first. The room's position comes
     * with it so a join's reply costs one Redis round trip; a room without history gets an epoch.
     */
    CompletionStage<Arrival> join(String room, Member user, String joinEvent, long now);

    /**
     * Counts one connection fewer; on the user's last, removes it, stamps {@code lastLeave} in the
     * roster and publishes {@code leaveEvent}. Completes with true when the user left the room.
     */
    CompletionStage<Boolean> leave(String room, String user, String leaveEvent, long now);

    /** The room's members, read from Redis (no asking other nodes). */
    CompletionStage<List<Member>> members(String room);

    /**
     * Makes Redis say again what this node holds, in every room where it holds or held presence:
     * after Redis came back (it may have restarted empty, or leaves may have failed meanwhile).
     * Users who become present again cause join events; entries this node no longer holds are
     * dropped, with leave events where they were a user's last.
     */
    CompletionStage<Void> reassert();
}
