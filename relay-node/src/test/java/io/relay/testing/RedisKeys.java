package io.relay.testing;

/**
 * The Redis key and channel names of DESIGN.md (default prefix {@code relay}), spelled out
 * independently of the node's code so the tests check the documented layout, braces included.
 */
public final class RedisKeys {
    private static final String PREFIX = "relay";

    private RedisKeys() {
    }

    /** Pub/sub channel of a room's live messages: {@code relay:{room}:msgs}. */
    public static String roomChannel(String room) {
        return PREFIX + ":{" + room + "}:msgs";
    }

    /** Pub/sub channel of a user's direct messages: {@code relay:user:{user}}. */
    public static String userChannel(String user) {
        return PREFIX + ":user:{" + user + "}";
    }

    /** Presence hash of a room: {@code relay:{room}:presence}. */
    public static String presence(String room) {
        return PREFIX + ":{" + room + "}:presence";
    }

    /** Roster hash of a room: {@code relay:{room}:roster}. */
    public static String roster(String room) {
        return PREFIX + ":{" + room + "}:roster";
    }
}
