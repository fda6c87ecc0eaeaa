package io.relay.bench;

import java.nio.charset.StandardCharsets;

/**
 * Reads the few fields the bench needs from server frames without building a JSON tree: a frame's
 * {@code type}, a bench message's {@code t}, {@code p} and {@code s}, and a reply's numeric
 * {@code id}. Relies on what the node writes: compact JSON, {@code type} as the frame's first field,
 * and a relayed {@code data} object that keeps the publisher's field order. Anything else is
 * {@link Type#OTHER} or not a bench message. Stateless.
 */
public final class FrameScanner {
    /** OPEN and PING are transport packets of protocols that have them ({@link Protocol#SOCKETIO}). */
    public enum Type { MESSAGE, ACK, JOINED, WELCOME, PRESENCE, ERROR, OPEN, PING, OTHER }

    private static final byte[] TYPE = ascii("\"type\":\"");
    private static final byte[] DATA = ascii("\"data\":{");
    private static final byte[] T = ascii("\"t\":");
    private static final byte[] P = ascii("\"p\":");
    private static final byte[] S = ascii("\"s\":");
    private static final byte[] ID = ascii("\"id\":");
    private static final Type[] TYPES = {Type.MESSAGE, Type.ACK, Type.JOINED, Type.WELCOME, Type.PRESENCE, Type.ERROR};
    private static final byte[][] NAMES = {ascii("message\""), ascii("ack\""), ascii("joined\""), ascii("welcome\""),
            ascii("presence\""), ascii("error\"")};

    /** No number where one was looked for. */
    static final long NONE = Long.MIN_VALUE;

    private FrameScanner() {
    }

    /** The type of the frame in {@code b[0..len)}. */
    public static Type type(byte[] b, int len) {
        int at = indexOf(b, 0, len, TYPE);
        if (at < 0) {
            return Type.OTHER;
        }
        int from = at + TYPE.length;
        for (int i = 0; i < NAMES.length; i++) {
            if (startsWith(b, from, len, NAMES[i])) {
                return TYPES[i];
            }
        }
        return Type.OTHER;
    }

    /**
     * Reads a bench message's {@code data} fields into {@code out} ({@code t}, {@code p}, {@code s});
     * false when the message is not one of ours.
     */
    public static boolean benchMessage(byte[] b, int len, long[] out) {
        int data = indexOf(b, 0, len, DATA);
        if (data < 0) {
            return false;
        }
        int from = data + DATA.length;
        return field(b, from, len, T, out, 0) && field(b, from, len, P, out, 1) && field(b, from, len, S, out, 2);
    }

    /** A reply's numeric {@code id}, or -1 when it has none or a non-numeric or negative one. */
    public static long numericId(byte[] b, int len) {
        int at = indexOf(b, 0, len, ID);
        long v = at < 0 ? NONE : number(b, at + ID.length, len);
        return v < 0 ? -1 : v;
    }

    /** True when {@code needle} occurs in {@code b[0..len)}. */
    public static boolean contains(byte[] b, int len, byte[] needle) {
        return indexOf(b, 0, len, needle) >= 0;
    }

    public static String text(byte[] b, int len) {
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }

    private static boolean field(byte[] b, int from, int len, byte[] name, long[] out, int slot) {
        int at = indexOf(b, from, len, name);
        if (at < 0) {
            return false;
        }
        long v = number(b, at + name.length, len);
        out[slot] = v;
        return v != NONE;
    }

    /** The decimal integer (at most 18 digits, optionally negative) at {@code from}, or {@link #NONE}. */
    static long number(byte[] b, int from, int len) {
        boolean negative = from < len && b[from] == '-';
        int start = negative ? from + 1 : from;
        long v = 0;
        int i = start;
        for (; i < len && i - start < 18; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            v = v * 10 + d;
        }
        if (i == start) {
            return NONE;
        }
        return negative ? -v : v;
    }

    static int indexOf(byte[] b, int from, int len, byte[] needle) {
        int last = len - needle.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static boolean startsWith(byte[] b, int from, int len, byte[] prefix) {
        if (len - from < prefix.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (b[from + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
