package io.relay.it.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.transport.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELAY_TLS_CERT / RELAY_TLS_KEY: a node given a PEM chain (signed by a test CA that keytool made)
 * and a PKCS#8 key serves {@code wss://} and {@code https://} on its one port. Clients that trust
 * the CA connect, join, publish and receive; {@code /healthz} answers over https; plain
 * {@code ws://} and {@code http://} to that port get nothing.
 */
class TlsIT {
    @TempDir
    static Path dir;
    private static TestCertificates.Pem pem;
    private static SSLContext trust;
    private static Cluster cluster;

    @BeforeAll
    static void start() {
        pem = TestCertificates.make(dir, "RSA");
        trust = pem.clientContext();
        cluster = Cluster.start(1, config -> config.tlsCert(pem.chain()).tlsKey(pem.key()));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void clientsTrustingTheCertificateJoinPublishAndReceiveOverWss() {
        String room = Cluster.unique("secure");
        try (WssClient ann = WssClient.connect(trust, uri("wss", "/ws"), cluster.token("ann-" + room, "Ann"));
             WssClient bob = WssClient.connect(trust, uri("wss", "/ws/" + room), cluster.token("bob-" + room, "Bob"))) {
            JsonNode welcome = ann.await(Frames.type("welcome"), "ann's welcome");
            assertThat(welcome.path("session").asText()).startsWith("s-");
            ann.send("{\"type\":\"join\",\"id\":1,\"room\":\"" + room + "\"}");
            ann.await(Frames.type("joined"), "ann's joined");
            bob.await(Frames.type("joined"), "bob's joined (the path's room)");

            bob.send("{\"type\":\"publish\",\"id\":2,\"room\":\"" + room + "\",\"data\":{\"text\":\"over tls\"}}");
            bob.await(Frames.type("ack"), "bob's ack");
            JsonNode message = ann.await(Frames.message(room), "bob's message at ann");
            assertThat(message.path("data").path("text").asText()).isEqualTo("over tls");
            assertThat(message.path("from").path("id").asText()).isEqualTo("bob-" + room);
        }
    }

    @Test
    void httpsRoutesAnswer() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> health = https.send(get(uri("https", "/healthz")), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = https.send(get(uri("https", "/metrics")), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("relay_connections");
    }

    @Test
    void plainWsAndHttpToTheTlsPortGetNothing() throws Exception {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(get(uri("http", "/healthz")), HttpResponse.BodyHandlers.ofString()))
                .as("http:// to the TLS port").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> plain.newWebSocketBuilder().header("Authorization", "Bearer " + cluster.token("eve", "Eve"))
                .buildAsync(uri("ws", "/ws"), new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS))
                .as("ws:// to the TLS port").isInstanceOf(ExecutionException.class);

        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> untrusting.send(get(uri("https", "/healthz")), HttpResponse.BodyHandlers.ofString()))
                .as("https:// without trusting the test CA").isInstanceOf(IOException.class);

        HttpClient https = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
        assertThat(https.send(get(uri("https", "/healthz")), HttpResponse.BodyHandlers.discarding()).statusCode())
                .as("the port still serves TLS afterwards").isEqualTo(200);
    }

    private static URI uri(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + cluster.node(0).port() + path);
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
    }
}
