package io.relay.auth;

import static io.relay.auth.TestTokens.NOW_S;
import static io.relay.auth.TestTokens.hs256;
import static io.relay.auth.TestTokens.hsConfig;
import static io.relay.auth.TestTokens.payload;
import static io.relay.auth.TestTokens.unsigned;
import static io.relay.auth.TestTokens.verifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HS256 verification: signature, algorithm, time claims with leeway, sub, iss/aud, length. */
class TokenVerifierTest {
    private final TokenVerifier verifier = verifier(hsConfig());

    @Test
    void acceptsAGoodToken() {
        Principal p = verifier.verify(hs256(payload("\"name\":\"Ann\"")));

        assertThat(p.userId()).isEqualTo("u1");
        assertThat(p.name()).isEqualTo("Ann");
        assertThat(p.rooms()).isNull();
        assertThat(p.expiresAt()).isEqualTo(Instant.ofEpochSecond(NOW_S + 3600));
    }

    @Test
    void refusesAWrongSecret() {
        String token = hs256(TestTokens.HS256, payload(""), "another-secret-another-secret-xx".getBytes(StandardCharsets.UTF_8));

        assertRefused(token, "token signature invalid");
    }

    @Test
    void refusesATamperedPayload() {
        String good = hs256(payload(""));
        String[] parts = good.split("\\.");
        String forged = parts[0] + "." + TestTokens.b64(payload("\"name\":\"Mallory\"")) + "." + parts[2];

        assertRefused(forged, "token signature invalid");
    }

    @Test
    void refusesAlgNone() {
        assertRefused(unsigned("{\"alg\":\"none\"}", payload("")), "token algorithm not accepted");
        assertRefused(unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload("")), "token algorithm not accepted");
    }

    @Test
    void refusesAnotherHmacAlgorithm() {
        String token = TestTokens.unsigned("{\"alg\":\"HS512\"}", payload("")) + "c2ln";

        assertRefused(token, "token algorithm not accepted");
    }

    @Test
    void refusesAnExpiredToken() {
        assertRefused(hs256("{\"sub\":\"u1\",\"exp\":" + (NOW_S - 6) + "}"), "token expired");
    }

    @Test
    void acceptsExpWithinLeeway() {
        assertThat(verifier.verify(hs256("{\"sub\":\"u1\",\"exp\":" + (NOW_S - 4) + "}")).userId()).isEqualTo("u1");
    }

    @Test
    void refusesNbfInTheFuture() {
        assertRefused(hs256(payload("\"nbf\":" + (NOW_S + 6))), "token not yet valid");
    }

    @Test
    void acceptsNbfWithinLeeway() {
        assertThat(verifier.verify(hs256(payload("\"nbf\":" + (NOW_S + 4)))).userId()).isEqualTo("u1");
    }

    @Test
    void refusesIatInTheFuture() {
        assertRefused(hs256(payload("\"iat\":" + (NOW_S + 6))), "token issued in the future");
    }

    @Test
    void acceptsIatWithinLeeway() {
        assertThat(verifier.verify(hs256(payload("\"iat\":" + (NOW_S + 4)))).userId()).isEqualTo("u1");
    }

    @Test
    void refusesNonNumericTimeClaims() {
        assertRefused(hs256("{\"sub\":\"u1\",\"exp\":\"tomorrow\"}"), "token malformed");
        assertRefused(hs256(payload("\"nbf\":[1]")), "token malformed");
    }

    @Test
    void refusesAMissingExpWhenRequired() {
        assertRefused(hs256("{\"sub\":\"u1\"}"), "token has no exp");
        assertRefused(hs256("{\"sub\":\"u1\",\"exp\":null}"), "token has no exp");
    }

    @Test
    void acceptsAMissingExpWhenNotRequired() {
        Principal p = verifier(hsConfig().jwtRequireExp(false)).verify(hs256("{\"sub\":\"u1\"}"));

        assertThat(p.userId()).isEqualTo("u1");
        assertThat(p.expiresAt()).isNull();
    }

    @Test
    void stillChecksExpWhenNotRequired() {
        TokenVerifier lenient = verifier(hsConfig().jwtRequireExp(false));

        assertThatThrownBy(() -> lenient.verify(hs256("{\"sub\":\"u1\",\"exp\":" + (NOW_S - 60) + "}")))
                .isInstanceOf(AuthException.class).hasMessage("token expired");
    }

    @Test
    void refusesAMissingSub() {
        assertRefused(hs256("{\"exp\":" + (NOW_S + 60) + "}"), "token has no sub");
        assertRefused(hs256("{\"sub\":null,\"exp\":" + (NOW_S + 60) + "}"), "token has no sub");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a b\"", "\"x*\"", "\"\"", "\"{tag}\"", "\"é\"", "123", "true", "[\"u1\"]", "{\"id\":\"u1\"}"})
    void refusesAnInvalidSub(String sub) {
        assertRefused(hs256("{\"sub\":" + sub + ",\"exp\":" + (NOW_S + 60) + "}"), "token sub is not a valid user id");
    }

    @Test
    void refusesASubLongerThan128() {
        String sub = "u".repeat(129);

        assertRefused(hs256("{\"sub\":\"" + sub + "\",\"exp\":" + (NOW_S + 60) + "}"), "token sub is not a valid user id");
        assertThat(verifier.verify(hs256("{\"sub\":\"" + sub.substring(1) + "\",\"exp\":" + (NOW_S + 60) + "}"))
                .userId()).hasSize(128);
    }

    @Test
    void acceptsAllUserIdCharacters() {
        String sub = "Az09_.@:-";

        assertThat(verifier.verify(hs256("{\"sub\":\"" + sub + "\",\"exp\":" + (NOW_S + 60) + "}")).userId())
                .isEqualTo(sub);
    }

    @Test
    void checksTheIssuerOnlyWhenConfigured() {
        TokenVerifier strict = verifier(hsConfig().jwtIssuer("https://auth.example"));

        assertThat(strict.verify(hs256(payload("\"iss\":\"https://auth.example\""))).userId()).isEqualTo("u1");
        assertRefused(strict, hs256(payload("\"iss\":\"https://evil.example\"")), "token issuer not accepted");
        assertRefused(strict, hs256(payload("")), "token has no iss");
        assertRefused(strict, hs256(payload("\"iss\":null")), "token issuer not accepted");
        assertRefused(strict, hs256(payload("\"iss\":1")), "token issuer not accepted");
        assertThat(verifier.verify(hs256(payload("\"iss\":\"https://evil.example\""))).userId()).isEqualTo("u1");
    }

    @Test
    void checksTheAudienceOnlyWhenConfigured() {
        TokenVerifier strict = verifier(hsConfig().jwtAudience("relay"));

        assertThat(strict.verify(hs256(payload("\"aud\":\"relay\""))).userId()).isEqualTo("u1");
        assertThat(strict.verify(hs256(payload("\"aud\":[\"billing\",\"relay\"]"))).userId()).isEqualTo("u1");
        assertRefused(strict, hs256(payload("\"aud\":\"billing\"")), "token audience not accepted");
        assertRefused(strict, hs256(payload("")), "token has no aud");
        assertRefused(strict, hs256(payload("\"aud\":null")), "token audience not accepted");
        assertRefused(strict, hs256(payload("\"aud\":[]")), "token audience not accepted");
        assertThat(verifier.verify(hs256(payload("\"aud\":\"billing\""))).userId()).isEqualTo("u1");
    }

    @Test
    void refusesATokenLongerThan4KiBBeforeParsing() {
        String big = hs256(payload("\"pad\":\"" + "x".repeat(4000) + "\""));

        assertThat(big.length()).isGreaterThan(TokenVerifier.MAX_TOKEN_LENGTH);
        assertRefused(big, "token longer than 4096 characters");
        assertRefused("x".repeat(1_000_000), "token longer than 4096 characters");
    }

    @Test
    void acceptsATokenOfExactly4KiB() {
        String token = tokenOfLength(TokenVerifier.MAX_TOKEN_LENGTH);

        assertThat(token).hasSize(TokenVerifier.MAX_TOKEN_LENGTH);
        assertThat(verifier.verify(token).userId()).isEqualTo("u1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "a.b", "a.b.c", "...", "a.b.c.d", "eyJ.eyJ.x", "%%%.%%%.%%%",
            "Bearer x.y.z", "\u0000.\u0000.\u0000"})
    void refusesGarbageWithAnAuthException(String garbage) {
        assertThatThrownBy(() -> verifier.verify(garbage)).isInstanceOf(AuthException.class);
    }

    @Test
    void refusesMalformedJsonInsideAToken() {
        assertRefused(hs256("not json"), "token malformed");
        assertRefused(hs256("[1,2]"), "token malformed");
        assertRefused(hs256(HS256_ARRAY_HEADER, payload(""), new byte[32]), "token malformed");
        assertRefused(TestTokens.b64("{\"alg\":\"HS256\"") + "." + TestTokens.b64(payload("")) + ".x", "token malformed");
    }

    @Test
    void refusesDeeplyNestedJsonWithinTheSizeLimit() {
        String deep = "[".repeat(1200) + "]".repeat(1200);
        String token = hs256(payload("\"deep\":" + deep));

        assertThat(token.length()).isLessThanOrEqualTo(TokenVerifier.MAX_TOKEN_LENGTH);
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(AuthException.class);
    }

    @Test
    void refusesANullToken() {
        assertRefused(null, "no token");
    }

    @Test
    void needsAKey() {
        assertThatThrownBy(() -> TokenVerifier.create(hsConfig().jwtSecret(null).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RELAY_JWT_SECRET").hasMessageContaining("RELAY_JWT_PUBLIC_KEY");
    }

    private static final String HS256_ARRAY_HEADER = "[\"HS256\"]";

    private String tokenOfLength(int length) {
        String probe = hs256(payload("\"pad\":\"\""));
        // base64url: 4 characters per 3 bytes; grow the pad until the token is exactly long enough
        for (int pad = (length - probe.length()) * 3 / 4 - 4; pad < length; pad++) {
            String token = hs256(payload("\"pad\":\"" + "x".repeat(pad) + "\""));
            if (token.length() == length) {
                return token;
            }
            if (token.length() > length) {
                break;
            }
        }
        throw new AssertionError("no pad gives length " + length);
    }

    private void assertRefused(String token, String message) {
        assertRefused(verifier, token, message);
    }

    static void assertRefused(TokenVerifier v, String token, String message) {
        assertThatThrownBy(() -> v.verify(token))
                .isInstanceOf(AuthException.class)
                .hasMessage(message)
                .satisfies(e -> assertNoTokenIn(e.getMessage(), token));
    }

    static void assertNoTokenIn(String message, String token) {
        if (token == null) {
            return;
        }
        for (String part : token.split("\\.")) {
            if (part.length() >= 8) {
                assertThat(message).doesNotContain(part);
            }
        }
    }
}
