package io.relay.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    private static final String ALLOWED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@-";

    @Test
    void allowsExactlyTheProtocolAlphabet() {
        for (char c = 0; c < 0x3000; c++) {
            String s = String.valueOf(c);
            boolean expected = ALLOWED.indexOf(c) >= 0;

            assertThat(Names.isValidRoom(s)).as("room %s (U+%04X)", s, (int) c).isEqualTo(expected);
            assertThat(Names.isValidUserId(s)).as("user %s (U+%04X)", s, (int) c).isEqualTo(expected);
        }
    }

    @Test
    void allowsOneTo128Characters() {
        assertThat(Names.MAX_LENGTH).isEqualTo(128);
        assertThat(Names.isValidRoom("a")).isTrue();
        assertThat(Names.isValidRoom("a".repeat(128))).isTrue();
        assertThat(Names.isValidRoom("a".repeat(129))).isFalse();
        assertThat(Names.isValidRoom("")).isFalse();
        assertThat(Names.isValidUserId("u".repeat(128))).isTrue();
        assertThat(Names.isValidUserId("u".repeat(129))).isFalse();
        assertThat(Names.isValidUserId("")).isFalse();
    }

    @Test
    void refusesNull() {
        assertThat(Names.isValidRoom(null)).isFalse();
        assertThat(Names.isValidUserId(null)).isFalse();
    }

    @Test
    void allowsAWholeAlphabetName() {
        assertThat(Names.isValidRoom(ALLOWED)).isTrue();
        assertThat(Names.isValidUserId(ALLOWED)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "x*", "*", "{tag}", "a?", "[a-z]", "NUL\u0000", "é", "ｌobby", "lоbby", "a\nb",
            "$server", "a/b", "a\\b", "a\"b", "😀", "\uD800"})
    void refusesNamesWithOtherCharacters(String name) {
        assertThat(Names.isValidRoom(name)).isFalse();
        assertThat(Names.isValidUserId(name)).isFalse();
    }
}
