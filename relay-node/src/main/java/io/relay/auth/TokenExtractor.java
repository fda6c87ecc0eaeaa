package io.relay.auth;

import java.util.Locale;

/**
 * Finds the token of a WebSocket upgrade request in the order of PROTOCOL.md ("Connecting"): header
 * {@code Authorization: Bearer <jwt>}, then header {@code token: <jwt>}, then query {@code ?token=<jwt>}.
 * A source that is absent, blank or (for Authorization) not of the Bearer scheme is skipped.
 */
public final class TokenExtractor {
    private static final String BEARER = "bearer";

    private TokenExtractor() {
    }

    /**
     * The token, or null when none of the sources holds one. Each argument may be null. The
     * {@code token} header may carry a {@code Bearer } prefix too, as some mini-program code sends it.
     */
    public static String extract(String authorizationHeader, String tokenHeader, String queryToken) {
        String token = bearer(authorizationHeader);
        if (token == null) {
            token = orBearer(tokenHeader);
        }
        if (token == null) {
            token = nonBlank(queryToken);
        }
        return token;
    }

    /** The credentials of a {@code Bearer} header value (scheme case-insensitive), or null. */
    private static String bearer(String header) {
        String value = nonBlank(header);
        if (value == null || value.length() <= BEARER.length()
                || !value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)
                || !Character.isWhitespace(value.charAt(BEARER.length()))) {
            return null;
        }
        return nonBlank(value.substring(BEARER.length()));
    }

    private static String orBearer(String value) {
        String token = bearer(value);
        return token != null ? token : nonBlank(value);
    }

    private static String nonBlank(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }
}
