package io.relay.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The wire protocol the bench speaks, so one load generator can drive Relay and the peers it is
 * compared with (../shared/bench/servers): the same client, the same schedule and the same
 * accounting for each. Every protocol carries the bench message in a {@code data} object that keeps
 * the publisher's field order, which is all {@link FrameScanner#benchMessage} needs.
 * <ul>
 * <li>{@link #RELAY}: PROTOCOL.md v1, a JWT in the {@code token} header, {@code welcome}, {@code join}
 * answered by {@code joined}, every publish acked.</li>
 * <li>{@link #SOCKETIO}: Socket.IO v5 over Engine.IO v4, WebSocket transport only: the open packet
 * {@code 0{..}} is answered by {@code 40} (connect to {@code /}), {@code 40{..}} by the join event
 * with an ack ({@code 420["join",R]} → {@code 430[..]}); publishes are {@code 42["publish",{room,data}]}
 * without ack, messages {@code 42["message",{room,from,data}]}; the server's ping {@code 2} is
 * answered by {@code 3}.</li>
 * <li>{@link #SEEDWS}: a hand-written {@code ws} server, JSON {@code {type:join|publish,room,data}}.
 * It says nothing on connect and acks nothing, so a join counts as done when the client's own probe
 * published to the room after it comes back (the server handles one socket's frames in order).</li>
 * </ul>
 */
public enum Protocol {
    RELAY {
        @Override
        public List<String> join(String room, String user) {
            return List.of(PublishFrame.join(room));
        }

        @Override
        public String publish(String room, int publisher, long seq, long t, int payload) {
            return PublishFrame.of(room, publisher, seq, t, payload);
        }

        @Override
        public boolean acksPublishes() {
            return true;
        }

        @Override
        public String defaultPath() {
            return "/ws";
        }
    },
    SOCKETIO {
        @Override
        public FrameScanner.Type type(byte[] b, int len) {
            if (len == 0) {
                return FrameScanner.Type.OTHER;
            }
            return switch (b[0]) {
                case '0' -> FrameScanner.Type.OPEN;
                case '2' -> len == 1 ? FrameScanner.Type.PING : FrameScanner.Type.OTHER;
                case '4' -> len < 2 ? FrameScanner.Type.OTHER : switch (b[1]) {
                    case '0' -> FrameScanner.Type.WELCOME;
                    case '2' -> FrameScanner.startsWith(b, 0, len, SOCKETIO_MESSAGE) ? FrameScanner.Type.MESSAGE : FrameScanner.Type.OTHER;
                    case '3' -> FrameScanner.Type.JOINED; // the join is the only event sent with an ack
                    case '4' -> FrameScanner.Type.ERROR;  // connect_error
                    default -> FrameScanner.Type.OTHER;
                };
                default -> FrameScanner.Type.OTHER;
            };
        }

        @Override
        public String defaultPath() {
            return "/socket.io/?EIO=4&transport=websocket";
        }

        @Override
        public String handshake() {
            return "40";
        }

        @Override
        public String pong() {
            return "3";
        }

        @Override
        public List<String> join(String room, String user) {
            return List.of("420[\"join\",\"" + room + "\"]");
        }

        @Override
        public String publish(String room, int publisher, long seq, long t, int payload) {
            StringBuilder b = new StringBuilder(payload + room.length() + 48);
            b.append("42[\"publish\",{\"room\":\"").append(room).append("\",\"data\":");
            return PublishFrame.data(b, publisher, seq, t, payload).append("}]").toString();
        }
    },
    SEEDWS {
        @Override
        public String defaultPath() {
            return "/";
        }

        @Override
        public boolean welcomesOnOpen() {
            return true;
        }

        @Override
        public List<String> join(String room, String user) {
            return List.of("{\"type\":\"join\",\"room\":\"" + room + "\"}",
                    "{\"type\":\"publish\",\"room\":\"" + room + "\",\"data\":{" + probeField(user) + "}}");
        }

        @Override
        public byte[] joinProbe(String user) {
            return probeField(user).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String publish(String room, int publisher, long seq, long t, int payload) {
            StringBuilder b = new StringBuilder(payload + room.length() + 48);
            b.append("{\"type\":\"publish\",\"room\":\"").append(room).append("\",\"data\":");
            return PublishFrame.data(b, publisher, seq, t, payload).append('}').toString();
        }
    };

    private static final byte[] SOCKETIO_MESSAGE = "42[\"message\",".getBytes(StandardCharsets.US_ASCII);

    /** What the server frame in {@code b[0..len)} is: by its {@code type} field unless the protocol frames otherwise. */
    public FrameScanner.Type type(byte[] b, int len) {
        return FrameScanner.type(b, len);
    }

    /** The frames that join {@code room} as {@code user}, sent once the server has welcomed the client. */
    public abstract List<String> join(String room, String user);

    /** A bench message (see {@link PublishFrame}) for {@code room}. */
    public abstract String publish(String room, int publisher, long seq, long t, int payload);

    /** The path (and query) of a URL given without one. */
    public abstract String defaultPath();

    /** True when the server acks each publish by its id; otherwise a publish counts as acked when sent. */
    public boolean acksPublishes() {
        return false;
    }

    /** True when the server sends no greeting: the client is welcomed as soon as the upgrade succeeds. */
    public boolean welcomesOnOpen() {
        return false;
    }

    /** The frame that answers the transport's open packet ({@link FrameScanner.Type#OPEN}), or null. */
    public String handshake() {
        return null;
    }

    /** The frame that answers a ping sent as a text frame ({@link FrameScanner.Type#PING}), or null. */
    public String pong() {
        return null;
    }

    /**
     * Bytes that mark {@code user}'s own join probe coming back in a message, for a protocol whose
     * join is not answered ({@link #SEEDWS}); null when the server answers joins itself.
     */
    public byte[] joinProbe(String user) {
        return null;
    }

    /** True when connections authenticate with a JWT (the {@code token} header). */
    public boolean needsToken() {
        return this == RELAY;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The field of a seedws join probe, {@code "probe":"<user>"}: what it sends and what it looks for. */
    private static String probeField(String user) {
        return "\"probe\":\"" + user + "\"";
    }

    static Protocol parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be relay, socketio or seedws");
        }
    }
}
