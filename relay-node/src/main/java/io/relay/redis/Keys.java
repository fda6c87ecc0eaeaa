package io.relay.redis;

/**
 * The Redis key and channel layout of DESIGN.md. Every key of one room carries the room in a hash
 * tag, so a room lives in one cluster slot and one script can touch all of its keys. Names passed in
 * are already validated ({@code Names}): they cannot contain braces or glob characters.
 */
public final class Keys {
    private final String prefix;

    public Keys(String prefix) {
        this.prefix = prefix;
    }

    /** The room's live channel: {@code relay:{room}:msgs}. */
    public String roomChannel(String room) {
        return room(room) + ":msgs";
    }

    public String presence(String room) {
        return room(room) + ":presence";
    }

    public String roster(String room) {
        return room(room) + ":roster";
    }

    public String history(String room) {
        return room(room) + ":history";
    }

    public String meta(String room) {
        return room(room) + ":meta";
    }

    /** Remembers the offset of a keyed publish for the dedup window. */
    public String dedup(String room, String key) {
        return room(room) + ":dedup:" + key;
    }

    /** A user's direct-message channel: {@code relay:user:{user}}. */
    public String userChannel(String user) {
        return prefix + ":user:{" + user + "}";
    }

    /** A node's liveness key: exists while the node is alive (it has a TTL the node keeps refreshing). */
    public String node(String nodeId) {
        return prefix + ":node:" + nodeId;
    }

    /** The rooms where a node holds presence, so others can sweep them when it dies. */
    public String nodeRooms(String nodeId) {
        return node(nodeId) + ":rooms";
    }

    /** Taken by the one node that sweeps a dead node. */
    public String nodeSweep(String nodeId) {
        return node(nodeId) + ":sweep";
    }

    /** Left by a sweep: the node's users were announced as gone, so its return must announce them again. */
    public String nodeSwept(String nodeId) {
        return node(nodeId) + ":swept";
    }

    /** The channel a node publishes its readiness probe to, and hears it back on. */
    public String probeChannel(String nodeId) {
        return node(nodeId) + ":probe";
    }

    /** Every node that registered itself: the set survivors look through for dead ones. */
    public String nodes() {
        return prefix + ":nodes";
    }

    /** The room of a room channel, or null when {@code channel} is not one. */
    public String roomOfChannel(String channel) {
        String head = prefix + ":{";
        if (!channel.startsWith(head) || !channel.endsWith("}:msgs")) {
            return null;
        }
        return channel.substring(head.length(), channel.length() - "}:msgs".length());
    }

    /** The user of a user channel, or null when {@code channel} is not one. */
    public String userOfChannel(String channel) {
        String head = prefix + ":user:{";
        if (!channel.startsWith(head) || !channel.endsWith("}")) {
            return null;
        }
        return channel.substring(head.length(), channel.length() - 1);
    }

    private String room(String room) {
        return prefix + ":{" + room + "}";
    }
}
