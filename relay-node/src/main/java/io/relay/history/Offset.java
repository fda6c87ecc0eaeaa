package io.relay.history;

import java.nio.charset.StandardCharsets;

/**
 * A position in a room's history: the epoch (which incarnation of the room's history) and the
 * sequence number within it. On the wire it is {@code "<epoch>:<seq>"}, opaque to clients.
 */
public record Offset(String epoch, long seq) {
    private static final byte[] OFFSET_FIELD = "\"offset\":\"".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String toString() {
        return epoch + ":" + seq;
    }

    /** Parses a client's offset; null when it is not one of ours. */
    public static Offset parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 1 || colon > 16 || text.length() - colon - 1 < 1 || text.length() - colon - 1 > 18) {
            return null;
        }
        for (int i = 0; i < colon; i++) {
            if (!Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) > 'z') {
                return null;
            }
        }
        long seq = 0;
        for (int i = colon + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            seq = seq * 10 + (c - '0');
        }
        return new Offset(text.substring(0, colon), seq);
    }

    /**
     * The sequence number of a room {@code message} frame, read from its tail ({@code ..."offset":"E:N"}}),
     * or -1 for any other frame (a presence event, say). Messages are built so the offset comes last.
     */
    public static long seqOfFrame(byte[] frame) {
        int end = frame.length - 2;
        if (end < 1 || frame[end] != '"' || frame[end + 1] != '}') {
            return -1;
        }
        long seq = 0;
        long scale = 1;
        int i = end - 1;
        for (; i >= 0 && frame[i] >= '0' && frame[i] <= '9'; i--) {
            seq += (frame[i] - '0') * scale;
            scale *= 10;
        }
        if (scale == 1 || i < 0 || frame[i] != ':' || !hasOffsetFieldBefore(frame, i)) {
            return -1;
        }
        return seq;
    }

    /** The offset of a room {@code message} frame, read from its tail; null for any other frame. */
    public static Offset ofFrame(byte[] frame) {
        long seq = seqOfFrame(frame);
        if (seq < 0) {
            return null;
        }
        int colon = frame.length - 3;
        while (frame[colon] != ':') {
            colon--;
        }
        int start = colon - 1;
        while (frame[start] != '"') {
            start--;
        }
        return new Offset(new String(frame, start + 1, colon - start - 1, StandardCharsets.US_ASCII), seq);
    }

    private static boolean hasOffsetFieldBefore(byte[] frame, int colon) {
        int i = colon - 1;
        while (i >= 0 && frame[i] != '"') {
            i--;
        }
        int start = i - OFFSET_FIELD.length + 1;
        if (start < 0) {
            return false;
        }
        for (int k = 0; k < OFFSET_FIELD.length; k++) {
            if (frame[start + k] != OFFSET_FIELD[k]) {
                return false;
            }
        }
        return true;
    }
}
