package io.relay.auth;

import com.auth0.jwt.algorithms.Algorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads the PEM public key file of {@code RELAY_JWT_PUBLIC_KEY} (an X.509 SubjectPublicKeyInfo,
 * {@code -----BEGIN PUBLIC KEY-----}) and picks the one algorithm it verifies: RS256 for an RSA key
 * of at least 2048 bits, ES256 for an EC key on P-256. Every failure is an
 * {@link IllegalArgumentException} naming the variable and the file, never quoting key material.
 */
final class PublicKeyFile {
    static final String VARIABLE = "RELAY_JWT_PUBLIC_KEY";
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";
    private static final int MIN_RSA_BITS = 2048;
    private static final long MAX_FILE_BYTES = 64 * 1024;

    private PublicKeyFile() {
    }

    /** The verifying algorithm for the key in {@code file}. */
    static Algorithm algorithm(Path file) {
        PublicKey key = read(file);
        if (key instanceof RSAPublicKey rsa) {
            return rsa(file, rsa);
        }
        if (key instanceof ECPublicKey ec) {
            return ec(file, ec);
        }
        throw fail(file, "holds a " + key.getAlgorithm() + " key; RS256 (RSA) or ES256 (EC P-256) are accepted");
    }

    private static PublicKey read(Path file) {
        byte[] der = decode(file, pemBody(file, text(file)));
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        for (String type : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(spec);
            } catch (InvalidKeySpecException e) {
                // not this key type: try the next
            } catch (GeneralSecurityException e) {
                throw fail(file, "cannot be loaded: " + e.getMessage());
            }
        }
        throw fail(file, "holds neither an RSA nor an EC public key");
    }

    private static Algorithm rsa(Path file, RSAPublicKey key) {
        int bits = key.getModulus().bitLength();
        if (bits < MIN_RSA_BITS) {
            throw fail(file, "holds a " + bits + "-bit RSA key; RS256 needs at least " + MIN_RSA_BITS + " bits");
        }
        return Algorithm.RSA256(key, null);
    }

    private static Algorithm ec(Path file, ECPublicKey key) {
        if (!isP256(key.getParams())) {
            throw fail(file, "holds an EC key on another curve than P-256; ES256 needs P-256 (secp256r1)");
        }
        return Algorithm.ECDSA256(key, null);
    }

    private static boolean isP256(ECParameterSpec params) {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp256r1"));
            ECParameterSpec p256 = p.getParameterSpec(ECParameterSpec.class);
            // ECParameterSpec has no equals; its parts do
            return params.getCurve().equals(p256.getCurve()) && params.getOrder().equals(p256.getOrder())
                    && params.getGenerator().equals(p256.getGenerator())
                    && params.getCofactor() == p256.getCofactor();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks the P-256 curve", e);
        }
    }

    private static String text(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw fail(file, "is too large for a PEM public key");
            }
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException e) {
            throw fail(file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String pemBody(Path file, String text) {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw fail(file, hint(text));
        }
        return text.substring(begin + BEGIN.length(), end);
    }

    private static String hint(String text) {
        if (text.contains("PRIVATE KEY-----")) {
            return "holds a private key; give the public key (openssl pkey -in key.pem -pubout)";
        }
        if (text.contains("-----BEGIN RSA PUBLIC KEY-----")) {
            return "holds a PKCS#1 RSA key; convert it (openssl rsa -RSAPublicKey_in -in key.pem -pubout)";
        }
        if (text.contains("-----BEGIN CERTIFICATE-----")) {
            return "holds a certificate; extract its key (openssl x509 -in cert.pem -pubkey -noout)";
        }
        return "has no '" + BEGIN + "' block";
    }

    private static byte[] decode(Path file, String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw fail(file, "is not valid base64 between the PEM lines");
        }
    }

    private static IllegalArgumentException fail(Path file, String what) {
        return new IllegalArgumentException(VARIABLE + ": " + file + " " + what);
    }
}
