package io.relay.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The server API's bearer-key check. Only the key's SHA-256 digest is kept, and a presented key is
 * compared by digest in constant time: how long a check takes tells nothing about the key, not even
 * its length. The key itself is never logged or returned.
 */
public final class ApiAuth {
    private static final String SCHEME = "Bearer ";

    private final byte[] keyDigest;

    public ApiAuth(String apiKey) {
        if (apiKey == null || apiKey.isEmpty()) {
            throw new IllegalArgumentException("the server API needs a non-empty RELAY_API_KEY");
        }
        this.keyDigest = sha256(apiKey);
    }

    /** True when {@code authorization} (an {@code Authorization} header, maybe null) is {@code Bearer <the key>}. */
    public boolean permits(String authorization) {
        String presented = bearer(authorization);
        // digest even a missing key, so a request without one costs the same as a wrong one
        boolean equal = MessageDigest.isEqual(sha256(presented == null ? "" : presented), keyDigest);
        return equal && presented != null;
    }

    /** The credentials of a {@code Bearer} header (scheme case-insensitive, RFC 6750), or null. */
    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        return authorization.substring(SCHEME.length()).strip();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
