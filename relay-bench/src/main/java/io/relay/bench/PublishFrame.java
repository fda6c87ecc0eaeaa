package io.relay.bench;

/**
 * The text of a bench {@code publish} frame:
 * {@code {"type":"publish","room":R,"id":S,"data":{"t":T,"p":P,"s":S,"x":"xxx..."}}}. {@code t} is
 * the message's intended send time ({@link System#nanoTime()}), {@code p} the publisher, {@code s}
 * its sequence number (also the frame's {@code id}, so the {@code ack} names it). {@code x} pads the
 * {@code data} object to exactly {@code payload} bytes, or is empty when the rest is already longer.
 */
public final class PublishFrame {
    private PublishFrame() {
    }

    public static String of(String room, int publisher, long seq, long t, int payload) {
        StringBuilder b = new StringBuilder(payload + room.length() + 64);
        b.append("{\"type\":\"publish\",\"room\":\"").append(room).append("\",\"id\":").append(seq).append(",\"data\":");
        return data(b, publisher, seq, t, payload).append('}').toString();
    }

    /** Appends the {@code data} object of a bench message to {@code b}; the other protocols wrap it too. */
    static StringBuilder data(StringBuilder b, int publisher, long seq, long t, int payload) {
        int dataStart = b.length();
        b.append("{\"t\":").append(t).append(",\"p\":").append(publisher).append(",\"s\":").append(seq).append(",\"x\":\"");
        int pad = payload - (b.length() - dataStart) - 2; // the closing quote and brace
        for (int i = 0; i < pad; i++) {
            b.append('x');
        }
        return b.append("\"}");
    }

    /** The {@code join} frame; its {@code id} is {@code "j"}. */
    public static String join(String room) {
        return "{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"j\"}";
    }
}
