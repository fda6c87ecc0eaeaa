package io.relay.auth;

import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.relay.model.Names;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the relay's own claims ({@code sub}, {@code name}, {@code rooms}) of a token whose signature
 * and registered claims java-jwt has already checked. java-jwt leaves their types and contents
 * unchecked (and would coerce a number to a string), so every value is checked here.
 */
final class Claims {
    /** Longest display name, in characters (PROTOCOL.md). */
    static final int MAX_NAME_LENGTH = 128;

    private Claims() {
    }

    /** The principal of {@code jwt}; {@code requireExp} refuses an {@code exp} that is absent or JSON null. */
    static Principal principal(DecodedJWT jwt, boolean requireExp) {
        Instant exp = jwt.getExpiresAtAsInstant();
        // java-jwt's withClaimPresence("exp") lets "exp":null through, and then checks no expiry at all
        if (requireExp && exp == null) {
            throw new AuthException("token has no exp");
        }
        return new Principal(subject(jwt.getClaim("sub")), name(jwt.getClaim("name")),
                rooms(jwt.getClaim("rooms")), exp);
    }

    private static String subject(Claim sub) {
        if (sub.isMissing() || sub.isNull()) {
            throw new AuthException("token has no sub");
        }
        String id = sub.asString();
        if (!Names.isValidUserId(id)) {
            throw new AuthException("token sub is not a valid user id");
        }
        return id;
    }

    private static String name(Claim name) {
        if (name.isMissing() || name.isNull()) {
            return null;
        }
        String text = name.asString();
        if (text == null || text.length() > MAX_NAME_LENGTH) {
            throw new AuthException("token name must be a string of at most " + MAX_NAME_LENGTH + " characters");
        }
        return text;
    }

    /** Null when the claim is absent (every room); a JSON null is refused rather than read as "every room". */
    private static List<String> rooms(Claim rooms) {
        if (rooms.isMissing()) {
            return null;
        }
        List<Object> items = rooms.isNull() ? null : rooms.asList(Object.class);
        if (items == null) {
            throw new AuthException("token rooms must be an array of room names");
        }
        List<String> out = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof String room) || !isRoomPattern(room)) {
                throw new AuthException("token rooms must hold room names or prefixes ending in '*'");
            }
            out.add(room);
        }
        return out;
    }

    /** A room name, or a non-empty room-name prefix followed by one {@code *}. */
    private static boolean isRoomPattern(String s) {
        String name = s.endsWith("*") ? s.substring(0, s.length() - 1) : s;
        return Names.isValidRoom(name);
    }
}
