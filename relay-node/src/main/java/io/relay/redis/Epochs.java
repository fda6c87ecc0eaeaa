package io.relay.redis;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes epoch tags: short random strings that tell one incarnation of a room's history from the next.
 * Not secrets, so a fast non-cryptographic source is enough.
 */
public final class Epochs {
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Epochs() {
    }

    /** A new tag of 8 characters (47 bits): a collision between two incarnations is not a practical risk. */
    public static String fresh() {
        char[] tag = new char[8];
        for (int i = 0; i < tag.length; i++) {
            tag[i] = ALPHABET[ThreadLocalRandom.current().nextInt(ALPHABET.length)];
        }
        return new String(tag);
    }
}
