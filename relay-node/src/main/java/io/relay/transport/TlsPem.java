package io.relay.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of {@code RELAY_TLS_CERT} (a certificate chain, the server's own certificate
 * first) and {@code RELAY_TLS_KEY} (an unencrypted PKCS#8 private key, RSA or EC) with the JDK
 * alone. Text around the PEM blocks (openssl's "Bag Attributes", comments) is ignored. Other key
 * forms are refused with the openssl command that converts them.
 */
final class TlsPem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
    private static final long MAX_FILE_BYTES = 1024 * 1024;
    private static final String CONVERT = "openssl pkcs8 -topk8 -nocrypt -in <key.pem> -out <key-pkcs8.pem>";

    /** One PEM block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}...) and its decoded bytes. */
    private record Block(String label, byte[] der) {
    }

    private TlsPem() {
    }

    /** Every {@code CERTIFICATE} block of {@code file}, in file order. */
    static List<X509Certificate> certificates(String variable, Path file) {
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JVM has no X.509 support", e);
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Block block : blocks(variable, file)) {
            if (block.label().equals("CERTIFICATE")) {
                try {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException(variable + " " + file + ": certificate " + (chain.size() + 1)
                            + " is not a valid X.509 certificate: " + e.getMessage(), e);
                }
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(variable + " " + file
                    + ": no \"-----BEGIN CERTIFICATE-----\" block (a PEM certificate chain, the server's first)");
        }
        return chain;
    }

    /** The {@code PRIVATE KEY} block of {@code file}: an unencrypted PKCS#8 RSA or EC key. */
    static PrivateKey privateKey(String variable, Path file) {
        for (Block block : blocks(variable, file)) {
            switch (block.label()) {
                case "PRIVATE KEY":
                    return pkcs8(variable, file, block.der());
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
                    throw new IllegalArgumentException(variable + " " + file + " holds a \"" + block.label()
                            + "\" (not PKCS#8); the node reads unencrypted PKCS#8 keys (\"BEGIN PRIVATE KEY\"): "
                            + "convert it with " + CONVERT);
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException(variable + " " + file + " holds an encrypted key; the node "
                            + "reads unencrypted PKCS#8 keys (\"BEGIN PRIVATE KEY\"): decrypt it with " + CONVERT
                            + " (openssl asks for the passphrase); keep the result readable by the node only");
                default:
                    // certificates or parameters next to the key: not ours to read here
            }
        }
        throw new IllegalArgumentException(variable + " " + file + ": no \"-----BEGIN PRIVATE KEY-----\" block "
                + "(an unencrypted PKCS#8 key; other PEM keys convert with " + CONVERT + ")");
    }

    private static PrivateKey pkcs8(String variable, Path file, byte[] der) {
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException e) {
                // not this algorithm: try the next
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM has no " + algorithm + " support", e);
            }
        }
        throw new IllegalArgumentException(variable + " " + file + ": the PKCS#8 key is neither RSA nor EC "
                + "(or is damaged); the node serves RSA and EC certificates");
    }

    private static List<Block> blocks(String variable, Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) { // a misnamed file (a log, an archive) is not read into memory
                throw new IllegalArgumentException(variable + " " + file + " is over " + MAX_FILE_BYTES
                        + " bytes: not a PEM certificate chain or key");
            }
            text = Files.readString(file, StandardCharsets.ISO_8859_1); // a binary file reads too, and has no block
        } catch (IOException e) {
            throw new IllegalArgumentException(variable + " " + file + " cannot be read: " + e, e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(variable + " " + file + ": the \"" + m.group(1)
                        + "\" block is not valid base64", e);
            }
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(variable + " " + file + " is not a PEM file (no \"-----BEGIN ...-----\" "
                    + "block); a DER or PKCS#12 file converts with openssl x509/pkcs12 ... -out file.pem");
        }
        return blocks;
    }
}
