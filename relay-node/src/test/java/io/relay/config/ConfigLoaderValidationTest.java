package io.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refusal names the variable and its flag, and never quotes a secret. */
class ConfigLoaderValidationTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "RELAY_PORT | abc | RELAY_PORT (--port) must be a port number 0-65535, got 'abc'",
        "RELAY_PORT | 65536 | RELAY_PORT (--port) must be a port number 0-65535, got '65536'",
        "RELAY_PORT | -1 | RELAY_PORT (--port) must be a port number 0-65535, got '-1'",
        "RELAY_PORT | 99999999999999999999 | RELAY_PORT (--port) must be a port number 0-65535",
        "RELAY_NODE_ID | a b | RELAY_NODE_ID (--node-id) must be 1-128 characters of A-Z a-z 0-9 _ . @ : -, got 'a b'",
        "RELAY_NODE_ID | n{1} | RELAY_NODE_ID (--node-id) must be 1-128",
        "RELAY_REDIS_URL | http://r:7000 | RELAY_REDIS_URL (--redis-url) must be a redis://, rediss:// or redis-sentinel:// URI, got scheme 'http'",
        "RELAY_REDIS_URL | localhost:7000 | RELAY_REDIS_URL (--redis-url) must be a redis://, rediss:// or redis-sentinel:// URI",
        "RELAY_REDIS_URL | redis:// | RELAY_REDIS_URL (--redis-url) must be a redis://",
        "RELAY_REDIS_CLUSTER | yes | RELAY_REDIS_CLUSTER (--redis-cluster) must be true or false, got 'yes'",
        "RELAY_KEY_PREFIX | {relay} | RELAY_KEY_PREFIX (--key-prefix) must be made of A-Z a-z 0-9 _ . : - only, got '{relay}'",
        "RELAY_KEY_PREFIX | a b | RELAY_KEY_PREFIX (--key-prefix) must be made of",
        "RELAY_KEY_PREFIX | rel*y | RELAY_KEY_PREFIX (--key-prefix) must be made of",
        "RELAY_JWT_REQUIRE_EXP | 1 | RELAY_JWT_REQUIRE_EXP (--jwt-require-exp) must be true or false, got '1'",
        "RELAY_MAX_FRAME_BYTES | 64KiB | RELAY_MAX_FRAME_BYTES (--max-frame-bytes) must be a positive integer, got '64KiB'",
        "RELAY_MAX_FRAME_BYTES | 0 | RELAY_MAX_FRAME_BYTES (--max-frame-bytes) must be a positive integer",
        "RELAY_MAX_FRAME_BYTES | 2147483648 | RELAY_MAX_FRAME_BYTES (--max-frame-bytes) must be a positive integer",
        "RELAY_RATE | 0 | RELAY_RATE (--rate) must be a positive integer, got '0'",
        "RELAY_RATE | 1.5 | RELAY_RATE (--rate) must be a positive integer, got '1.5'",
        "RELAY_BURST | -5 | RELAY_BURST (--burst) must be a positive integer, got '-5'",
        "RELAY_MAX_CONNECTIONS_PER_USER | 0 | RELAY_MAX_CONNECTIONS_PER_USER (--max-connections-per-user) must be a positive integer",
        "RELAY_MAX_ROOMS_PER_CONNECTION | x | RELAY_MAX_ROOMS_PER_CONNECTION (--max-rooms-per-connection) must be a positive integer",
        "RELAY_OUTBOUND_QUEUE | 0 | RELAY_OUTBOUND_QUEUE (--outbound-queue) must be a positive integer",
        "RELAY_HISTORY_SIZE | 0 | RELAY_HISTORY_SIZE (--history-size) must be a positive integer",
        "RELAY_HISTORY_TTL | 0h | RELAY_HISTORY_TTL (--history-ttl) must be a duration greater than 0, got '0h'",
        "RELAY_NODE_TTL | 10 | RELAY_NODE_TTL (--node-ttl) must be a duration with a unit: ms, s, m or h (e.g. 500ms, 10s, 5m, 24h), got '10'",
        "RELAY_NODE_TTL | 0s | RELAY_NODE_TTL (--node-ttl) must be a duration greater than 0",
        "RELAY_HEARTBEAT | x s | RELAY_HEARTBEAT (--heartbeat) must be a duration with a unit",
        "RELAY_HEARTBEAT | -1s | RELAY_HEARTBEAT (--heartbeat) must be a duration with a unit",
        "RELAY_HEARTBEAT | 10 s | RELAY_HEARTBEAT (--heartbeat) must be a duration with a unit",
        "RELAY_HEARTBEAT | 1.5s | RELAY_HEARTBEAT (--heartbeat) must be a duration with a unit",
        "RELAY_HEARTBEAT | 10S | RELAY_HEARTBEAT (--heartbeat) must be a duration with a unit",
        "RELAY_HEARTBEAT | 2d | RELAY_HEARTBEAT (--heartbeat) must be a duration with a unit",
        "RELAY_HEARTBEAT | 0ms | RELAY_HEARTBEAT (--heartbeat) must be a duration greater than 0",
        "RELAY_HEARTBEAT | 999999999999999999h | RELAY_HEARTBEAT (--heartbeat) must be a duration of a sensible size",
        "RELAY_DRAIN_TIMEOUT | 10 | RELAY_DRAIN_TIMEOUT (--drain-timeout) must be a duration with a unit",
        "RELAY_REDIS_TIMEOUT | 0s | RELAY_REDIS_TIMEOUT (--redis-timeout) must be a duration greater than 0",
        "RELAY_UNSUBSCRIBE_DELAY | 5 | RELAY_UNSUBSCRIBE_DELAY (--unsubscribe-delay) must be a duration with a unit",
        "RELAY_LOG_FORMAT | xml | RELAY_LOG_FORMAT (--log-format) must be one of text, json, got 'xml'",
    })
    void refusesABadValueNamingTheVariable(String variable, String value, String message) {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(variable, value), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void refusesAShortSecretWithoutQuotingIt() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_JWT_SECRET", "short-secret"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("RELAY_JWT_SECRET (--jwt-secret) must be at least 32 bytes (HS256 needs 256 bits), got 12 bytes")
                .message().doesNotContain("short-secret");
    }

    @Test
    void countsSecretBytesNotCharacters() {
        String secret = "é".repeat(16);

        assertThat(ConfigLoader.load(Map.of("RELAY_JWT_SECRET", secret), null).jwtSecret()).isEqualTo(secret);
    }

    @Test
    void neverQuotesARedisUrl() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_REDIS_URL", "http://user:hunter2@r:7000"), null))
                .isInstanceOf(ConfigException.class)
                .message().doesNotContain("hunter2");
    }

    @Test
    void acceptsEveryRedisScheme() {
        for (String url : new String[] {"redis://r:7000", "rediss://r:6380", "redis-sentinel://s:26379#mymaster",
                "REDIS://r"}) {
            assertThat(ConfigLoader.load(Map.of("RELAY_REDIS_URL", url), null).redisUrl()).isEqualTo(url);
        }
    }

    @Test
    void refusesASecretAndAPublicKeyTogether() throws IOException {
        Map<String, String> env = Map.of("RELAY_JWT_SECRET", "s".repeat(32),
                "RELAY_JWT_PUBLIC_KEY", file("pub.pem").toString());

        assertThatThrownBy(() -> ConfigLoader.load(env, null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("set only one of RELAY_JWT_SECRET (--jwt-secret) and RELAY_JWT_PUBLIC_KEY (--jwt-public-key)");
    }

    @Test
    void refusesMissingFiles() {
        for (String variable : new String[] {"RELAY_JWT_PUBLIC_KEY", "RELAY_TLS_CERT", "RELAY_TLS_KEY"}) {
            String missing = dir.resolve("absent.pem").toString();

            assertThatThrownBy(() -> ConfigLoader.load(Map.of(variable, missing), null))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(variable + " (--")
                    .hasMessageContaining("must be a readable file (no such file), got '" + missing + "'");
        }
    }

    @Test
    void refusesADirectoryAsAFile() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_TLS_CERT", dir.toString()), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RELAY_TLS_CERT (--tls-cert) must be a readable file");
    }

    @Test
    void refusesTlsCertWithoutKeyAndKeyWithoutCert() throws IOException {
        String pem = file("tls.pem").toString();
        String both = "RELAY_TLS_CERT (--tls-cert) and RELAY_TLS_KEY (--tls-key) must be set together";

        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_TLS_CERT", pem), null)).hasMessage(both);
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_TLS_KEY", pem), null)).hasMessage(both);
        assertThat(ConfigLoader.load(Map.of("RELAY_TLS_CERT", pem, "RELAY_TLS_KEY", pem), null).tlsKey())
                .isEqualTo(Path.of(pem));
    }

    @Test
    void refusesClusterModeWithoutARedisUrl() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_REDIS_CLUSTER", "true"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RELAY_REDIS_CLUSTER (--redis-cluster) needs RELAY_REDIS_URL (--redis-url)");
    }

    @Test
    void refusesALongNodeId() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_NODE_ID", "n".repeat(129)), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RELAY_NODE_ID (--node-id) must be 1-128 characters");
        assertThat(ConfigLoader.load(Map.of("RELAY_NODE_ID", "n".repeat(128)), null).nodeId()).hasSize(128);
    }

    @Test
    void shortensAndCleansQuotedValues() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_PORT", "9\u0007" + "x".repeat(100)), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("RELAY_PORT (--port) must be a port number 0-65535, got '9?" + "x".repeat(62) + "...'");
    }

    @Test
    void flagErrorsNameTheVariableToo() {
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"--heartbeat", "10"}))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RELAY_HEARTBEAT (--heartbeat) must be a duration with a unit");
    }

    private Path file(String name) throws IOException {
        return Files.writeString(dir.resolve(name), "x");
    }
}
