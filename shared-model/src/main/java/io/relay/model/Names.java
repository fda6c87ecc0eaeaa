package io.relay.model;

/**
 * Validation of the names a client can send: room names and user ids. Both reach Redis keys and
 * channels, so the alphabet excludes glob characters, braces (hash tags), spaces and control
 * characters: nothing a client sends can address another key or channel.
 */
public final class Names {
    /** Longest room name or user id, in characters. */
    public static final int MAX_LENGTH = 128;

    private Names() {
    }

    /** True when {@code room} is 1–128 characters of {@code [A-Za-z0-9_.:@-]}. */
    public static boolean isValidRoom(String room) {
        return isValid(room);
    }

    /** True when {@code user} is 1–128 characters of {@code [A-Za-z0-9_.@:-]}. */
    public static boolean isValidUserId(String user) {
        return isValid(user);
    }

    private static boolean isValid(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!allowed(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '.' || c == ':' || c == '@' || c == '-';
    }
}
