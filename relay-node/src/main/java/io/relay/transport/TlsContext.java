package io.relay.transport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@link SSLContext} for {@code wss://} and {@code https://}, from the PEM files of
 * {@code RELAY_TLS_CERT} and {@code RELAY_TLS_KEY}. Checked at start so a wrong pair stops the node
 * with a message instead of failing every handshake: the key must sign what the certificate verifies.
 */
public final class TlsContext {
    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);
    private static final String ALIAS = "relay";

    private TlsContext() {
    }

    /** Reads both files and builds the context; an {@link IllegalArgumentException} names the variable at fault. */
    public static SSLContext load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = TlsPem.certificates("RELAY_TLS_CERT", certFile);
        PrivateKey key = TlsPem.privateKey("RELAY_TLS_KEY", keyFile);
        X509Certificate leaf = chain.get(0);
        checkPair(leaf, key, certFile, keyFile);
        warnIfNotValidNow(leaf, certFile);
        try {
            char[] password = new char[0]; // the store lives in memory only
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, new SecureRandom());
            log.info("TLS: serving wss:// and https:// with {} (valid until {}), {} certificate(s) in the chain",
                    leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant(), chain.size());
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("RELAY_TLS_CERT " + certFile + " / RELAY_TLS_KEY " + keyFile
                    + ": cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    /** The key signs a probe and the certificate's public key verifies it, or the pair is refused. */
    private static void checkPair(X509Certificate leaf, PrivateKey key, Path certFile, Path keyFile) {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] probe = "relay tls key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an EC key with an RSA certificate
        }
        if (!matches) {
            throw new IllegalArgumentException("RELAY_TLS_KEY " + keyFile + " is not the key of the first certificate "
                    + "in RELAY_TLS_CERT " + certFile + " (" + leaf.getSubjectX500Principal().getName()
                    + "): the server's own certificate must come first, followed by its intermediates");
        }
    }

    private static void warnIfNotValidNow(X509Certificate leaf, Path certFile) {
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            log.warn("RELAY_TLS_CERT {}: the certificate is valid only from {} to {}: clients will refuse it",
                    certFile, leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
        }
    }
}
