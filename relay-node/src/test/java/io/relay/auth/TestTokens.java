package io.relay.auth;

import io.relay.config.NodeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hand-made tokens and keys for the auth tests: full control over header, payload and signature. */
final class TestTokens {
    static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final long NOW_S = NOW.getEpochSecond();
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    private TestTokens() {
    }

    static NodeConfig.Builder hsConfig() {
        return NodeConfig.defaults().jwtSecret(SECRET).nodeId("t");
    }

    static TokenVerifier verifier(NodeConfig.Builder config) {
        return TokenVerifier.create(config.build(), CLOCK);
    }

    /** An HS256 token over the exact JSON given, signed with {@link #SECRET}. */
    static String hs256(String payloadJson) {
        return hs256(HS256, payloadJson, SECRET.getBytes(StandardCharsets.UTF_8));
    }

    static String hs256(String headerJson, String payloadJson, byte[] key) {
        String signingInput = b64(headerJson) + "." + b64(payloadJson);
        return signingInput + "." + b64(hmac(key, signingInput));
    }

    /** A token with the given header and payload and an empty signature ({@code alg: none} style). */
    static String unsigned(String headerJson, String payloadJson) {
        return b64(headerJson) + "." + b64(payloadJson) + ".";
    }

    static String b64(String json) {
        return b64(json.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A payload with sub u1 and exp one hour after {@link #NOW}, plus the extra members given. */
    static String payload(String extraMembers) {
        String extra = extraMembers.isEmpty() ? "" : "," + extraMembers;
        return "{\"sub\":\"u1\",\"exp\":" + (NOW_S + 3600) + extra + "}";
    }

    static KeyPair rsa(int bits) {
        return generate("RSA", bits, null);
    }

    static KeyPair ec(String curve) {
        return generate("EC", 0, curve);
    }

    /** Writes {@code key} as a {@code -----BEGIN PUBLIC KEY-----} file in {@code dir}. */
    static Path pem(Path dir, PublicKey key) {
        return write(dir, "key.pem", pemText(key));
    }

    static String pemText(PublicKey key) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    static Path write(Path dir, String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] hmac(byte[] key, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static KeyPair generate(String type, int bits, String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(type);
            if (curve != null) {
                g.initialize(new ECGenParameterSpec(curve));
            } else {
                g.initialize(bits);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
