package io.relay.testing;

import java.util.List;
import java.util.Random;

/**
 * Fuzz input for the client frame codec: a third valid-looking frames of every type with random
 * field values (wrong types, odd names, huge ids), a third valid frames mutated at the character
 * level (deleted, inserted, swapped, duplicated, cut), a third random text from the JSON alphabet.
 * Deterministic for a given {@link Random}. Texts are valid UTF-16 (no lone surrogates), so they
 * always reach the node as valid UTF-8.
 */
public final class HostileFrames {
    private static final List<String> TYPES = List.of("join", "leave", "publish", "direct", "presence", "history",
            "refresh", "ping", "pong", "message", "welcome", "JOIN", "", "join ", "error");
    private static final List<String> FIELDS = List.of("type", "id", "room", "data", "since", "limit", "key", "to",
            "token", "from", "ts", "offset", "sender", "__proto__", "");
    private static final String JSON_CHARS = "{}[]\",:\\/0123456789eE.-+ tfnrul\t\n";
    private static final String WORD_CHARS = "abcxyz_.:@-*?{}[] \u00e9\u4e2d\u0000\u001f";

    private final Random random;
    private final String user;
    private int count;

    public HostileFrames(Random random, String user) {
        this.random = random;
        this.user = user;
    }

    /** The next fuzz frame text. */
    public String next() {
        return switch (count++ % 3) {
            case 0 -> structured();
            case 1 -> mutate(valid());
            default -> garbage();
        };
    }

    /** A syntactically valid frame of a random type with random fields and values. */
    private String structured() {
        StringBuilder s = new StringBuilder("{\"type\":").append(quote(pick(TYPES)));
        int fields = random.nextInt(5);
        for (int i = 0; i < fields; i++) {
            s.append(',').append(quote(pick(FIELDS))).append(':').append(value(3));
        }
        return s.append('}').toString();
    }

    /** A frame the node would accept as it is. */
    private String valid() {
        String room = "fuzz-" + random.nextInt(5);
        return switch (random.nextInt(8)) {
            case 0 -> "{\"type\":\"join\",\"id\":" + random.nextInt(100) + ",\"room\":\"" + room + "\"}";
            case 1 -> "{\"type\":\"leave\",\"id\":\"l\",\"room\":\"" + room + "\"}";
            case 2 -> "{\"type\":\"publish\",\"id\":\"p\",\"room\":\"" + room + "\",\"data\":{\"n\":[1,2.5,\"x\",null,true]},\"key\":\"k"
                    + random.nextInt(3) + "\"}";
            case 3 -> "{\"type\":\"direct\",\"id\":\"d\",\"to\":\"" + user + "\",\"data\":\"hi\"}";
            case 4 -> "{\"type\":\"presence\",\"id\":\"pr\",\"room\":\"" + room + "\"}";
            case 5 -> "{\"type\":\"history\",\"id\":\"h\",\"room\":\"" + room + "\",\"limit\":5,\"since\":\"AbCdEfGh:1\"}";
            case 6 -> "{\"type\":\"refresh\",\"id\":\"r\",\"token\":\"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.\"}";
            default -> "{\"type\":\"ping\",\"id\":\"q\"}";
        };
    }

    private String mutate(String text) {
        StringBuilder s = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits && s.length() > 0; i++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(6)) {
                case 0 -> s.deleteCharAt(at);
                case 1 -> s.insert(at, JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length())));
                case 2 -> s.setCharAt(at, WORD_CHARS.charAt(random.nextInt(WORD_CHARS.length())));
                case 3 -> {
                    int to = random.nextInt(s.length());
                    char c = s.charAt(at);
                    s.setCharAt(at, s.charAt(to));
                    s.setCharAt(to, c);
                }
                case 4 -> {
                    int end = Math.min(s.length(), at + 1 + random.nextInt(12));
                    s.insert(at, s.substring(at, end));
                }
                default -> s.setLength(at);
            }
        }
        return s.toString();
    }

    private String garbage() {
        int length = random.nextInt(random.nextInt(10) == 0 ? 2_000 : 60);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            String alphabet = random.nextBoolean() ? JSON_CHARS : WORD_CHARS;
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private String value(int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 6);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> Long.toString(random.nextLong());
            case 3 -> random.nextInt(5) == 0 ? "1e" + random.nextInt(400) : Double.toString(random.nextGaussian());
            case 4 -> quote(word());
            case 5 -> quote("fuzz-" + random.nextInt(5));
            case 6, 7 -> {
                StringBuilder a = new StringBuilder("[");
                for (int i = 0, n = random.nextInt(4); i < n; i++) {
                    a.append(i > 0 ? "," : "").append(value(depth - 1));
                }
                yield a.append(']').toString();
            }
            default -> {
                StringBuilder o = new StringBuilder("{");
                for (int i = 0, n = random.nextInt(4); i < n; i++) {
                    o.append(i > 0 ? "," : "").append(quote(pick(FIELDS) + i)).append(':').append(value(depth - 1));
                }
                yield o.append('}').toString();
            }
        };
    }

    private String word() {
        int length = random.nextInt(10) == 0 ? 100 + random.nextInt(200) : random.nextInt(12);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(WORD_CHARS.charAt(random.nextInt(WORD_CHARS.length())));
        }
        return s.toString();
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    /** A JSON string literal of {@code s}, escaped. */
    private static String quote(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }
}
