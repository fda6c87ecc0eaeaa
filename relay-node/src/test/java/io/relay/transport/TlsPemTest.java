package io.relay.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELAY_TLS_CERT / RELAY_TLS_KEY: PEM chains and PKCS#8 keys (RSA and EC) made by keytool load into
 * a working {@link SSLContext}; every other key form, a wrong pair and files that are not PEM stop
 * the node with a message naming the variable (and, for keys, the openssl command that converts).
 */
class TlsPemTest {
    private static final String CONVERT = "openssl pkcs8 -topk8 -nocrypt";

    @TempDir
    static Path dir;
    private static TestCertificates.Pem rsa;
    private static TestCertificates.Pem ec;

    @BeforeAll
    static void makeCertificates() throws IOException {
        rsa = TestCertificates.make(Files.createDirectories(dir.resolve("rsa")), "RSA");
        ec = TestCertificates.make(Files.createDirectories(dir.resolve("ec")), "EC");
    }

    @Test
    void readsAChainServerFirstAndAnRsaPkcs8Key() {
        List<X509Certificate> chain = TlsPem.certificates("RELAY_TLS_CERT", rsa.chain());
        assertThat(chain).containsExactly(rsa.server(), rsa.ca());
        PrivateKey key = TlsPem.privateKey("RELAY_TLS_KEY", rsa.key());
        assertThat(key.getAlgorithm()).isEqualTo("RSA");
        assertThat(TlsContext.load(rsa.chain(), rsa.key()).getProtocol()).isEqualTo("TLS");
    }

    @Test
    void readsAnEcPkcs8Key() {
        assertThat(TlsPem.privateKey("RELAY_TLS_KEY", ec.key()).getAlgorithm()).isEqualTo("EC");
        assertThat(TlsContext.load(ec.chain(), ec.key()).getProtocol()).isEqualTo("TLS");
    }

    @Test
    void rsaAndEcContextsCompleteAHandshakeWithAClientTrustingTheCa() throws Exception {
        for (TestCertificates.Pem pem : List.of(rsa, ec)) {
            SSLContext server = TlsContext.load(pem.chain(), pem.key());
            try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                    .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                listener.setSoTimeout(10_000);
                CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                    try (Socket accepted = listener.accept()) {
                        accepted.getOutputStream().write(42);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                try (SSLSocket client = (SSLSocket) pem.clientContext().getSocketFactory()
                        .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                    client.setSoTimeout(10_000);
                    SSLParameters checks = client.getSSLParameters();
                    checks.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate names 127.0.0.1
                    client.setSSLParameters(checks);
                    assertThat(client.getInputStream().read()).isEqualTo(42);
                    assertThat(client.getSession().getPeerCertificates()).as("the chain is sent").hasSize(2);
                }
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void ignoresTextAroundTheBlocks() throws IOException {
        Path chain = TestCertificates.write(dir.resolve("bag.pem"), "Bag Attributes\n    friendlyName: server\n"
                + Files.readString(rsa.chain()) + "\n# trailing comment\n");
        Path key = TestCertificates.write(dir.resolve("bag-key.pem"), "Key Attributes: <No Attributes>\n"
                + Files.readString(rsa.key()));
        assertThat(TlsPem.certificates("RELAY_TLS_CERT", chain)).hasSize(2);
        assertThat(TlsContext.load(chain, key)).isNotNull();
    }

    @Test
    void refusesPkcs1AndSec1KeysWithTheConversionCommand() {
        for (String label : List.of("RSA PRIVATE KEY", "EC PRIVATE KEY")) {
            Path key = TestCertificates.write(dir.resolve("legacy.pem"), TestCertificates.pem(label, new byte[] {1, 2, 3}));
            assertThatThrownBy(() -> TlsPem.privateKey("RELAY_TLS_KEY", key))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("RELAY_TLS_KEY").hasMessageContaining(label).hasMessageContaining(CONVERT);
        }
    }

    @Test
    void refusesAnEncryptedKeyWithTheConversionCommand() {
        Path key = TestCertificates.write(dir.resolve("encrypted.pem"),
                TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> TlsPem.privateKey("RELAY_TLS_KEY", key))
                .hasMessageContaining("encrypted").hasMessageContaining(CONVERT);
    }

    @Test
    void refusesAKeyFileWithoutAKey() {
        assertThatThrownBy(() -> TlsPem.privateKey("RELAY_TLS_KEY", rsa.chain()))
                .hasMessageContaining("RELAY_TLS_KEY").hasMessageContaining("BEGIN PRIVATE KEY").hasMessageContaining(CONVERT);
    }

    @Test
    void refusesACertificateFileWithoutACertificate() {
        assertThatThrownBy(() -> TlsPem.certificates("RELAY_TLS_CERT", rsa.key()))
                .hasMessageContaining("RELAY_TLS_CERT").hasMessageContaining("BEGIN CERTIFICATE");
    }

    @Test
    void refusesFilesThatAreNotPem() throws Exception {
        Path der = dir.resolve("server.der");
        Files.write(der, rsa.server().getEncoded());
        assertThatThrownBy(() -> TlsPem.certificates("RELAY_TLS_CERT", der))
                .hasMessageContaining("RELAY_TLS_CERT").hasMessageContaining("not a PEM file");
    }

    @Test
    void refusesAFileOverOneMebibyteWithoutReadingIt() throws IOException {
        Path huge = dir.resolve("huge.pem");
        String chain = Files.readString(rsa.chain());
        Files.writeString(huge, chain + "x".repeat(1024 * 1024));
        assertThatThrownBy(() -> TlsPem.certificates("RELAY_TLS_CERT", huge))
                .hasMessageContaining("RELAY_TLS_CERT").hasMessageContaining("is over 1048576 bytes");
    }

    @Test
    void refusesAKeyThatIsNotTheServerCertificates() throws IOException {
        assertThatThrownBy(() -> TlsContext.load(rsa.chain(), ec.key()))
                .hasMessageContaining("RELAY_TLS_KEY").hasMessageContaining("is not the key of the first certificate");
        assertThatThrownBy(() -> TlsContext.load(ec.chain(), rsa.key()))
                .hasMessageContaining("is not the key of the first certificate");
        // the CA first: an RSA certificate, but not the one of this RSA key
        Path reversed = TestCertificates.write(dir.resolve("reversed.pem"),
                TestCertificates.pem("CERTIFICATE", encoded(rsa.ca())) + TestCertificates.pem("CERTIFICATE", encoded(rsa.server())));
        assertThatThrownBy(() -> TlsContext.load(reversed, rsa.key()))
                .hasMessageContaining("the server's own certificate must come first");
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
