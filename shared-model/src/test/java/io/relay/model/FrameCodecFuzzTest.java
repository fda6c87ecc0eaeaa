package io.relay.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames through {@link FrameCodec#decode}: every outcome is a valid
 * {@link ClientFrame} or a {@link FrameException}, never another exception. Seeded, so a failure
 * reproduces; bounded, so it always ends.
 */
class FrameCodecFuzzTest {
    private static final long SEED = 0x5eed_2025L;
    private static final int ROUNDS = 20_000;
    private static final String INSERTS = "\"{}[]:,\\0-1e.\u0000\u00e9\ud800 tnf*";
    private static final List<String> VALID = List.of(
            "{\"type\":\"join\",\"id\":\"1\",\"room\":\"lobby\",\"since\":\"q7Kf:1732250000000-0\"}",
            "{\"type\":\"leave\",\"id\":2,\"room\":\"lobby\"}",
            "{\"type\":\"publish\",\"id\":\"3\",\"room\":\"lobby\",\"data\":{\"text\":\"hi\",\"n\":[1,2.5,true,null]},\"key\":\"k1\"}",
            "{\"type\":\"direct\",\"id\":\"4\",\"to\":\"u2\",\"data\":{\"text\":\"psst\"}}",
            "{\"type\":\"presence\",\"id\":\"5\",\"room\":\"team-1\"}",
            "{\"type\":\"history\",\"id\":\"6\",\"room\":\"lobby\",\"since\":\"e:1-0\",\"limit\":20}",
            "{\"type\":\"refresh\",\"id\":\"7\",\"token\":\"a.b.c\"}",
            "{\"type\":\"ping\",\"id\":8}",
            "{\"type\":\"ping\"}");

    private final FrameCodec codec = new FrameCodec();

    @Test
    void everyInputDecodesOrIsRefusedCleanly() {
        Random random = new Random(SEED);
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < ROUNDS; i++) {
            String input = random.nextInt(10) == 0 ? randomText(random) : mutate(random, VALID.get(random.nextInt(VALID.size())));
            if (decodeOrRefuse(input)) {
                decoded++;
            } else {
                refused++;
            }
        }
        // both outcomes must occur, or the mutations test nothing
        assertThat(decoded).isGreaterThan(ROUNDS / 50);
        assertThat(refused).isGreaterThan(ROUNDS / 2);
    }

    @Test
    void everyValidSeedDecodes() {
        for (String frame : VALID) {
            assertThat(decodeOrRefuse(frame)).as(frame).isTrue();
        }
    }

    /** True when decoded (and the frame holds only valid values), false when refused with a code. */
    private boolean decodeOrRefuse(String input) {
        try {
            checkInvariants(codec.decode(input));
            return true;
        } catch (FrameException e) {
            assertThat(e.code()).isNotNull();
            assertThat(e.getMessage()).isNotNull();
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            return fail("decode threw " + e + " for input: " + escape(input), e);
        }
    }

    private static void checkInvariants(ClientFrame frame) {
        assertThat(frame).isNotNull();
        if (frame.id() != null) {
            assertThat(frame.id().isTextual() || frame.id().isNumber()).isTrue();
        }
        if (frame instanceof ClientFrame.Join j) {
            assertThat(Names.isValidRoom(j.room())).isTrue();
        } else if (frame instanceof ClientFrame.Leave l) {
            assertThat(Names.isValidRoom(l.room())).isTrue();
        } else if (frame instanceof ClientFrame.Publish p) {
            assertThat(Names.isValidRoom(p.room())).isTrue();
            assertThat(p.data()).isNotNull();
        } else if (frame instanceof ClientFrame.Direct d) {
            assertThat(Names.isValidUserId(d.to())).isTrue();
        } else if (frame instanceof ClientFrame.Presence p) {
            assertThat(Names.isValidRoom(p.room())).isTrue();
        } else if (frame instanceof ClientFrame.History h) {
            assertThat(Names.isValidRoom(h.room())).isTrue();
            assertThat(h.limit()).isBetween(1, FrameCodec.HISTORY_MAX_LIMIT);
        } else if (frame instanceof ClientFrame.Refresh r) {
            assertThat(r.token()).isNotNull();
        }
    }

    private static String mutate(Random random, String seed) {
        StringBuilder s = new StringBuilder(seed);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && s.length() > 0; m++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(6)) {
                case 0 -> s.setCharAt(at, (char) (s.charAt(at) ^ (1 << random.nextInt(8))));
                case 1 -> s.setLength(at);
                case 2 -> s.insert(at, INSERTS.charAt(random.nextInt(INSERTS.length())));
                case 3 -> s.deleteCharAt(at);
                case 4 -> s.insert(at, s.substring(at, Math.min(s.length(), at + 1 + random.nextInt(16))));
                default -> s.setCharAt(at, (char) random.nextInt(0x80));
            }
        }
        return s.toString();
    }

    private static String randomText(Random random) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(64);
        for (int i = 0; i < length; i++) {
            s.append(INSERTS.charAt(random.nextInt(INSERTS.length())));
        }
        return s.toString();
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
