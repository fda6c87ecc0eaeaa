package io.relay.auth;

import io.relay.model.Member;
import java.time.Instant;
import java.util.List;

/**
 * A verified connection identity, built only by {@link TokenVerifier} from a token it accepted.
 *
 * @param userId the token's {@code sub}, a valid user id
 * @param name the token's display {@code name}, or null
 * @param rooms the rooms claim: exact room names and prefixes ending in {@code *}; null means every
 *     room is allowed, an empty list allows none
 * @param expiresAt the token's {@code exp}, or null when the token had none
 */
public record Principal(String userId, String name, List<String> rooms, Instant expiresAt) {

    public Principal {
        rooms = rooms == null ? null : List.copyOf(rooms);
    }

    /**
     * True when the rooms claim allows {@code room}: the claim is absent, or one entry equals the
     * room, or one entry ending in {@code *} is a prefix of it ({@code team-*} allows {@code team-1}).
     */
    public boolean mayJoin(String room) {
        if (room == null) {
            return false;
        }
        if (rooms == null) {
            return true;
        }
        for (String allowed : rooms) {
            if (matches(allowed, room)) {
                return true;
            }
        }
        return false;
    }

    /** This identity as other users see it. */
    public Member member() {
        return new Member(userId, name);
    }

    private static boolean matches(String allowed, String room) {
        if (allowed.endsWith("*")) {
            return room.startsWith(allowed.substring(0, allowed.length() - 1));
        }
        return allowed.equals(room);
    }
}
