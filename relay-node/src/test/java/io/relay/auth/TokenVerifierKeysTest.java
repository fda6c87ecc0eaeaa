package io.relay.auth;

import static io.relay.auth.TestTokens.NOW_S;
import static io.relay.auth.TestTokens.hsConfig;
import static io.relay.auth.TestTokens.payload;
import static io.relay.auth.TestTokens.verifier;
import static io.relay.auth.TokenVerifierTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.relay.config.NodeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RS256 and ES256 with PEM public keys, key confusion (S-2), psychic signatures (S-8), bad key files. */
class TokenVerifierKeysTest {
    private static KeyPair rsa;
    private static KeyPair ec;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() {
        rsa = TestTokens.rsa(2048);
        ec = TestTokens.ec("secp256r1");
    }

    @Test
    void acceptsAGoodRs256Token() {
        TokenVerifier v = verifierFor(rsa);

        assertThat(v.verify(sign(rsaAlgorithm(rsa))).userId()).isEqualTo("u1");
    }

    @Test
    void acceptsAGoodEs256Token() {
        TokenVerifier v = verifierFor(ec);

        assertThat(v.verify(sign(ecAlgorithm(ec))).userId()).isEqualTo("u1");
    }

    @Test
    void refusesATokenOfAnotherKey() {
        KeyPair other = TestTokens.rsa(2048);

        assertRefused(verifierFor(rsa), sign(rsaAlgorithm(other)), "token signature invalid");
        assertRefused(verifierFor(ec), sign(ecAlgorithm(TestTokens.ec("secp256r1"))), "token signature invalid");
    }

    @Test
    void refusesHs256SignedWithThePublicKey() {
        TokenVerifier v = verifierFor(rsa);
        byte[] der = rsa.getPublic().getEncoded();
        byte[] pem = TestTokens.pemText(rsa.getPublic()).getBytes(StandardCharsets.US_ASCII);

        assertRefused(v, TestTokens.hs256(TestTokens.HS256, payload(""), der), "token algorithm not accepted");
        assertRefused(v, TestTokens.hs256(TestTokens.HS256, payload(""), pem), "token algorithm not accepted");
    }

    @Test
    void refusesTheOtherAsymmetricAlgorithm() {
        assertRefused(verifierFor(rsa), sign(ecAlgorithm(ec)), "token algorithm not accepted");
        assertRefused(verifierFor(ec), sign(rsaAlgorithm(rsa)), "token algorithm not accepted");
    }

    @Test
    void refusesAlgNoneAgainstAPublicKey() {
        assertRefused(verifierFor(rsa), TestTokens.unsigned("{\"alg\":\"none\"}", payload("")),
                "token algorithm not accepted");
    }

    @Test
    void refusesAnEs256SignatureOfZeros() {
        // CVE-2022-21449: r = s = 0 verified as valid on unpatched JDKs 15-18
        String signingInput = TestTokens.b64("{\"alg\":\"ES256\",\"typ\":\"JWT\"}") + "." + TestTokens.b64(payload(""));
        String token = signingInput + "." + TestTokens.b64(new byte[64]);

        assertRefused(verifierFor(ec), token, "token signature invalid");
    }

    @Test
    void refusesAnHs256TokenAgainstAnRsaVerifierEvenWithTheRightSecretElsewhere() {
        assertRefused(verifierFor(rsa), TestTokens.hs256(payload("")), "token algorithm not accepted");
    }

    @Test
    void refusesAnRs256TokenAgainstAnHs256Verifier() {
        assertRefused(verifier(hsConfig()), sign(rsaAlgorithm(rsa)), "token algorithm not accepted");
    }

    @Test
    void namesTheVariableForAMissingFile() {
        assertBadKey(dir.resolve("absent.pem"), "cannot be read");
    }

    @Test
    void refusesAFileWithoutAPemBlock() {
        assertBadKey(TestTokens.write(dir, "x.pem", "hello"), "has no '-----BEGIN PUBLIC KEY-----' block");
    }

    @Test
    void refusesAPrivateKeyWithoutQuotingIt() {
        String body = Base64.getMimeEncoder().encodeToString(rsa.getPrivate().getEncoded());
        Path file = TestTokens.write(dir, "priv.pem", "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> create(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RELAY_JWT_PUBLIC_KEY").hasMessageContaining("private key")
                .message().doesNotContain(body.substring(0, 40));
    }

    @Test
    void refusesAPkcs1RsaKeyWithAHint() {
        assertBadKey(TestTokens.write(dir, "p1.pem", "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"),
                "PKCS#1");
    }

    @Test
    void refusesACertificateWithAHint() {
        assertBadKey(TestTokens.write(dir, "c.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
                "certificate");
    }

    @Test
    void refusesGarbageInsideThePemBlock() {
        assertBadKey(TestTokens.write(dir, "g.pem", "-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n"),
                "neither an RSA nor an EC public key");
    }

    @Test
    void refusesAnEcKeyOnAnotherCurve() {
        assertBadKey(TestTokens.pem(dir, TestTokens.ec("secp384r1").getPublic()), "P-256");
    }

    @Test
    void refusesAShortRsaKey() {
        assertBadKey(TestTokens.pem(dir, TestTokens.rsa(1024).getPublic()), "1024-bit");
    }

    @Test
    void refusesBothASecretAndAPublicKey() {
        NodeConfig config = hsConfig().jwtPublicKey(TestTokens.pem(dir, rsa.getPublic())).build();

        assertThatThrownBy(() -> TokenVerifier.create(config))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only one");
    }

    private TokenVerifier verifierFor(KeyPair keys) {
        return verifier(NodeConfig.defaults().nodeId("t").jwtPublicKey(TestTokens.pem(dir, keys.getPublic())));
    }

    private TokenVerifier create(Path file) {
        return TokenVerifier.create(NodeConfig.defaults().nodeId("t").jwtPublicKey(file).build());
    }

    private void assertBadKey(Path file, String detail) {
        assertThatThrownBy(() -> create(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("RELAY_JWT_PUBLIC_KEY: ")
                .hasMessageContaining(detail);
    }

    private static String sign(Algorithm algorithm) {
        return JWT.create().withSubject("u1").withExpiresAt(Instant.ofEpochSecond(NOW_S + 3600)).sign(algorithm);
    }

    private static Algorithm rsaAlgorithm(KeyPair keys) {
        return Algorithm.RSA256((RSAPublicKey) keys.getPublic(), (RSAPrivateKey) keys.getPrivate());
    }

    private static Algorithm ecAlgorithm(KeyPair keys) {
        return Algorithm.ECDSA256((ECPublicKey) keys.getPublic(), (ECPrivateKey) keys.getPrivate());
    }
}
