package io.relay.auth;

import static io.relay.auth.TestTokens.hs256;
import static io.relay.auth.TestTokens.hsConfig;
import static io.relay.auth.TestTokens.payload;
import static io.relay.auth.TestTokens.verifier;
import static io.relay.auth.TokenVerifierTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code rooms} and {@code name} claims as read by the verifier. */
class RoomsClaimTest {
    private static final String ROOMS_REFUSED = "token rooms must hold room names or prefixes ending in '*'";
    private final TokenVerifier verifier = verifier(hsConfig());

    @Test
    void absentRoomsAllowEveryRoom() {
        Principal p = verifier.verify(hs256(payload("")));

        assertThat(p.rooms()).isNull();
        assertThat(p.mayJoin("lobby")).isTrue();
        assertThat(p.mayJoin("anything:at.all")).isTrue();
    }

    @Test
    void emptyRoomsAllowNone() {
        Principal p = verifier.verify(hs256(payload("\"rooms\":[]")));

        assertThat(p.rooms()).isEmpty();
        assertThat(p.mayJoin("lobby")).isFalse();
    }

    @Test
    void roomsAllowExactNamesAndPrefixes() {
        Principal p = verifier.verify(hs256(payload("\"rooms\":[\"lobby\",\"team-*\"]")));

        assertThat(p.rooms()).containsExactly("lobby", "team-*");
        assertThat(p.mayJoin("lobby")).isTrue();
        assertThat(p.mayJoin("team-1")).isTrue();
        assertThat(p.mayJoin("lobbyx")).isFalse();
        assertThat(p.mayJoin("team")).isFalse();
        assertThat(p.mayJoin("xteam-1")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"lobby\"", "{\"lobby\":true}", "1", "true", "null"})
    void refusesRoomsThatAreNotAnArray(String rooms) {
        assertRefused(verifier, hs256(payload("\"rooms\":" + rooms)), "token rooms must be an array of room names");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1]", "[null]", "[[\"a\"]]", "[\"a b\"]", "[\"\"]", "[\"*\"]", "[\"a**\"]",
            "[\"*a\"]", "[\"{tag}\"]", "[\"lobby\",\"a?\"]"})
    void refusesRoomsWithBadEntries(String rooms) {
        assertRefused(verifier, hs256(payload("\"rooms\":" + rooms)), ROOMS_REFUSED);
    }

    @Test
    void acceptsARoomNameOf128CharactersAndItsPrefixForm() {
        String room = "r".repeat(128);

        Principal p = verifier.verify(hs256(payload("\"rooms\":[\"" + room + "\",\"" + room + "*\"]")));

        assertThat(p.mayJoin(room)).isTrue();
    }

    @Test
    void readsAnOptionalName() {
        assertThat(verifier.verify(hs256(payload(""))).name()).isNull();
        assertThat(verifier.verify(hs256(payload("\"name\":null"))).name()).isNull();
        assertThat(verifier.verify(hs256(payload("\"name\":\"Zoë 张\""))).member().name()).isEqualTo("Zoë 张");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "[\"Ann\"]", "{\"first\":\"Ann\"}"})
    void refusesANameThatIsNotAString(String name) {
        assertRefused(verifier, hs256(payload("\"name\":" + name)),
                "token name must be a string of at most 128 characters");
    }

    @Test
    void refusesANameLongerThan128() {
        assertThat(verifier.verify(hs256(payload("\"name\":\"" + "n".repeat(128) + "\""))).name()).hasSize(128);
        assertRefused(verifier, hs256(payload("\"name\":\"" + "n".repeat(129) + "\"")),
                "token name must be a string of at most 128 characters");
    }
}
