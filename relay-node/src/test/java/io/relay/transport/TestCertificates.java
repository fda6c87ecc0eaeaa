package io.relay.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for TLS tests, with the JDK alone: {@code keytool} (from this JVM's home) makes a
 * test CA and a server key pair in temporary PKCS#12 stores and signs the server's certificate for
 * {@code localhost} and {@code 127.0.0.1}; Java writes the chain (server first, then the CA) and
 * the server's PKCS#8 key as PEM, the files RELAY_TLS_CERT and RELAY_TLS_KEY take.
 */
public final class TestCertificates {
    private static final String PASSWORD = "test-store-pass";

    /** PEM files of one server: its chain and key, and the CA certificate clients trust. */
    public record Pem(Path chain, Path key, X509Certificate ca, X509Certificate server) {
        /** A client TLS context that trusts the test CA only. */
        public SSLContext clientContext() {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("test-ca", ca);
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trust);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build the client's TLS context", e);
            }
        }
    }

    private TestCertificates() {
    }

    /** A server certificate with an {@code RSA} or {@code EC} key, signed by a fresh RSA test CA, as PEM in {@code dir}. */
    public static Pem make(Path dir, String keyAlgorithm) {
        Path caStore = dir.resolve("ca.p12");
        Path serverStore = dir.resolve("server.p12");
        Path request = dir.resolve("server.csr");
        Path signed = dir.resolve("server.crt");
        genKeyPair(caStore, "ca", "RSA", "CN=Relay Test CA", "-ext", "bc:c");
        genKeyPair(serverStore, "server", keyAlgorithm, "CN=localhost");
        keytool("-certreq", "-alias", "server", "-keystore", serverStore.toString(), "-file", request.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-infile", request.toString(),
                "-outfile", signed.toString(), "-validity", "2", "-ext", "SAN=dns:localhost,ip:127.0.0.1");
        X509Certificate ca = (X509Certificate) store(caStore).certificate("ca");
        X509Certificate server = readCertificate(signed);
        PrivateKey key = store(serverStore).key("server");
        Path chain = write(dir.resolve("chain.pem"), pem("CERTIFICATE", encoded(server)) + pem("CERTIFICATE", encoded(ca)));
        Path keyFile = write(dir.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));
        return new Pem(chain, keyFile, ca, server);
    }

    /** A PEM block of {@code der}, base64 in lines of 64 characters. */
    public static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    public static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void genKeyPair(Path store, String alias, String algorithm, String name, String... extra) {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", algorithm,
                "-dname", name, "-validity", "2", "-keystore", store.toString()));
        args.addAll(algorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
        args.addAll(List.of(extra));
        keytool(args.toArray(String[]::new));
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keypass", PASSWORD));
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Store store(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            return new Store(store);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static X509Certificate readCertificate(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A loaded PKCS#12 store. */
    private record Store(KeyStore store) {
        java.security.cert.Certificate certificate(String alias) {
            try {
                return store.getCertificate(alias);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        PrivateKey key(String alias) {
            try {
                return (PrivateKey) store.getKey(alias, PASSWORD.toCharArray());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
