package io.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading variables and flags: defaults, every variable, precedence, flag forms, node id. */
class ConfigLoaderTest {
    private static final String SECRET = "s".repeat(32);

    @TempDir
    Path dir;

    @Test
    void defaultsWhenNothingIsSet() {
        NodeConfig config = ConfigLoader.load(Map.of(), new String[0]);

        assertThat(config.toBuilder().nodeId(null).build()).isEqualTo(NodeConfig.defaults().build());
        assertThat(config.devMode()).isTrue();
    }

    @Test
    void acceptsNullArguments() {
        assertThat(ConfigLoader.load(null, null).port()).isEqualTo(NodeConfig.defaults().build().port());
    }

    @Test
    void makesANodeIdFromTheHostName() {
        NodeConfig config = ConfigLoader.load(Map.of("HOSTNAME", "box-7.eu.example.com"), new String[0]);

        assertThat(config.nodeId()).matches("box-7-[a-z0-9]{4}");
    }

    @Test
    void makesAValidNodeIdFromAnyHostName() {
        assertThat(ConfigLoader.load(Map.of("HOSTNAME", "wéird host"), null).nodeId()).matches("w-ird-host-[a-z0-9]{4}");
        assertThat(ConfigLoader.load(Map.of("HOSTNAME", "h".repeat(300)), null).nodeId()).hasSize(69);
        assertThat(ConfigLoader.load(Map.of("HOSTNAME", ".local"), null).nodeId()).matches("node-[a-z0-9]{4}");
        assertThat(ConfigLoader.load(Map.of(), null).nodeId()).matches("[A-Za-z0-9_@:-]+-[a-z0-9]{4}");
    }

    @Test
    void readsEveryVariable() {
        Path pub = file("pub.pem");
        Path cert = file("cert.pem");
        Path key = file("key.pem");
        Map<String, String> env = new HashMap<>();
        env.put("RELAY_PORT", "9000");
        env.put("RELAY_HOST", "127.0.0.1");
        env.put("RELAY_NODE_ID", "node-a");
        env.put("RELAY_REDIS_URL", "rediss://:pw@redis.example:6380/0");
        env.put("RELAY_REDIS_CLUSTER", "true");
        env.put("RELAY_KEY_PREFIX", "app:relay");
        env.put("RELAY_JWT_PUBLIC_KEY", pub.toString());
        env.put("RELAY_JWT_ISSUER", "https://auth.example");
        env.put("RELAY_JWT_AUDIENCE", "relay");
        env.put("RELAY_JWT_REQUIRE_EXP", "false");
        env.put("RELAY_ALLOWED_ORIGINS", " https://a.example , ,https://b.example,");
        env.put("RELAY_API_KEY", "api-key-1");
        env.put("RELAY_MAX_FRAME_BYTES", "131072");
        env.put("RELAY_RATE", "10");
        env.put("RELAY_BURST", "20");
        env.put("RELAY_MAX_CONNECTIONS_PER_USER", "5");
        env.put("RELAY_MAX_ROOMS_PER_CONNECTION", "7");
        env.put("RELAY_ALLOW_PUBLISH_WITHOUT_JOIN", "true");
        env.put("RELAY_OUTBOUND_QUEUE", "256");
        env.put("RELAY_HISTORY_SIZE", "300");
        env.put("RELAY_HISTORY_TTL", "2h");
        env.put("RELAY_NODE_TTL", "15s");
        env.put("RELAY_HEARTBEAT", "30s");
        env.put("RELAY_DRAIN_TIMEOUT", "20s");
        env.put("RELAY_REDIS_TIMEOUT", "1500ms");
        env.put("RELAY_UNSUBSCRIBE_DELAY", "0s");
        env.put("RELAY_TLS_CERT", cert.toString());
        env.put("RELAY_TLS_KEY", key.toString());
        env.put("RELAY_LOG_FORMAT", "json");
        env.put("RELAY_IO_THREADS", "1");

        NodeConfig c = ConfigLoader.load(env, new String[0]);

        assertThat(c).isEqualTo(new NodeConfig(9000, "127.0.0.1", "node-a", "rediss://:pw@redis.example:6380/0", true,
                "app:relay", null, pub, "https://auth.example", "relay", false,
                List.of("https://a.example", "https://b.example"), "api-key-1", 131072, 10, 20, 5, 7, true, 256, 300,
                Duration.ofHours(2), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(20),
                Duration.ofMillis(1500), Duration.ZERO, cert, key, "json", false, 1, 0));
    }

    @Test
    void warmupSignsItsOwnTokensSoItNeedsASecretAndPlainWs(@TempDir Path dir) throws Exception {
        assertThat(ConfigLoader.load(Map.of("RELAY_JWT_SECRET", SECRET, "RELAY_WARMUP", "500"), null).warmup())
                .isEqualTo(500);
        assertThat(ConfigLoader.load(Map.of("RELAY_WARMUP", "20"), null).warmup()).isEqualTo(20); // development mode
        assertThat(ConfigLoader.load(Map.of(), null).warmup()).isZero();
        Path pub = Files.writeString(dir.resolve("pub.pem"), "x");
        assertThatThrownBy(() -> ConfigLoader.load(
                Map.of("RELAY_JWT_PUBLIC_KEY", pub.toString(), "RELAY_WARMUP", "10"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RELAY_WARMUP")
                .hasMessageContaining("RELAY_JWT_PUBLIC_KEY");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_JWT_SECRET", SECRET, "RELAY_WARMUP", "10",
                "RELAY_TLS_CERT", cert.toString(), "RELAY_TLS_KEY", key.toString()), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RELAY_TLS_CERT");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_WARMUP", "-1"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RELAY_WARMUP");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("RELAY_WARMUP", "100001"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("at most 100000");
    }

    @Test
    void devTokensGoWithASecretButNotWithAPublicKey(@TempDir Path dir) throws Exception {
        assertThat(ConfigLoader.load(Map.of("RELAY_JWT_SECRET", SECRET, "RELAY_DEV_TOKENS", "true"), null).devTokens())
                .isTrue();
        Path pub = Files.writeString(dir.resolve("pub.pem"), "x");
        assertThatThrownBy(() -> ConfigLoader.load(
                Map.of("RELAY_JWT_PUBLIC_KEY", pub.toString(), "RELAY_DEV_TOKENS", "true"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RELAY_DEV_TOKENS");
    }

    @Test
    void readsTheSecret() {
        NodeConfig c = ConfigLoader.load(Map.of("RELAY_JWT_SECRET", SECRET), null);

        assertThat(c.jwtSecret()).isEqualTo(SECRET);
        assertThat(c.devMode()).isFalse();
    }

    @Test
    void flagsWinOverTheEnvironment() {
        NodeConfig c = ConfigLoader.load(Map.of("RELAY_PORT", "9000", "RELAY_NODE_TTL", "5s"),
                new String[] {"--port", "9100"});

        assertThat(c.port()).isEqualTo(9100);
        assertThat(c.nodeTtl()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void acceptsBothFlagForms() {
        NodeConfig c = ConfigLoader.load(Map.of(), new String[] {"--port=9001", "--node-ttl", "12s",
                "--max-connections-per-user=3", "--allowed-origins", "https://x.example", "--jwt-secret=" + SECRET});

        assertThat(c.port()).isEqualTo(9001);
        assertThat(c.nodeTtl()).isEqualTo(Duration.ofSeconds(12));
        assertThat(c.maxConnectionsPerUser()).isEqualTo(3);
        assertThat(c.allowedOrigins()).containsExactly("https://x.example");
        assertThat(c.jwtSecret()).isEqualTo(SECRET);
    }

    @Test
    void keepsEqualsSignsInAFlagValue() {
        assertThat(ConfigLoader.load(null, new String[] {"--api-key=a=b=="}).apiKey()).isEqualTo("a=b==");
    }

    @Test
    void aSwitchFlagAloneMeansTrue() {
        NodeConfig c = ConfigLoader.load(Map.of("RELAY_JWT_REQUIRE_EXP", "false", "RELAY_REDIS_URL", "redis://r:7000"),
                new String[] {"--redis-cluster", "--jwt-require-exp"});

        assertThat(c.redisCluster()).isTrue();
        assertThat(c.jwtRequireExp()).isTrue();
        assertThat(ConfigLoader.load(null, new String[] {"--jwt-require-exp", "false"}).jwtRequireExp()).isFalse();
        assertThat(ConfigLoader.load(null, new String[] {"--jwt-require-exp=FALSE"}).jwtRequireExp()).isFalse();
    }

    @Test
    void aLaterFlagWins() {
        assertThat(ConfigLoader.load(null, new String[] {"--port", "1", "--port=2"}).port()).isEqualTo(2);
    }

    @Test
    void blankVariablesCountAsUnset() {
        NodeConfig c = ConfigLoader.load(Map.of("RELAY_PORT", " ", "RELAY_REDIS_URL", ""), null);

        assertThat(c.port()).isEqualTo(NodeConfig.defaults().build().port());
        assertThat(c.redisUrl()).isNull();
    }

    @Test
    void trimsValues() {
        NodeConfig c = ConfigLoader.load(Map.of("RELAY_PORT", " 9000 ", "RELAY_LOG_FORMAT", "JSON "), null);

        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.logFormat()).isEqualTo("json");
    }

    @Test
    void ignoresOtherVariables() {
        NodeConfig c = ConfigLoader.load(Map.of("PATH", "/bin", "RELAY_UNKNOWN", "x"), null);

        assertThat(c.port()).isEqualTo(NodeConfig.defaults().build().port());
    }

    @Test
    void readsDurationsWithUnits() {
        assertThat(heartbeat("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(heartbeat("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(heartbeat("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(heartbeat("24h")).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void acceptsZeroWhereZeroMeansSomething() {
        NodeConfig c = ConfigLoader.load(Map.of("RELAY_DRAIN_TIMEOUT", "0s", "RELAY_UNSUBSCRIBE_DELAY", "0ms",
                "RELAY_PORT", "0"), null);

        assertThat(c.drainTimeout()).isZero();
        assertThat(c.unsubscribeDelay()).isZero();
        assertThat(c.port()).isZero();
    }

    @Test
    void refusesAnUnknownFlag() {
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"--prot", "9000"}))
                .isInstanceOf(ConfigException.class).hasMessage("unknown flag --prot");
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"--help"}))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--help");
    }

    @Test
    void refusesAnArgumentThatIsNotAFlag() {
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"9000"}))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unexpected argument '9000'");
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"-port", "9000"}))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unexpected argument");
    }

    @Test
    void refusesAFlagWithoutValue() {
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"--port"}))
                .isInstanceOf(ConfigException.class).hasMessage("--port (RELAY_PORT) needs a value");
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"--port", "--host", "x"}))
                .isInstanceOf(ConfigException.class).hasMessage("--port (RELAY_PORT) needs a value");
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"--port="}))
                .isInstanceOf(ConfigException.class).hasMessage("--port (RELAY_PORT) needs a value");
    }

    @Test
    void badFlagValuesNameTheVariableAndTheFlag() {
        assertThatThrownBy(() -> ConfigLoader.load(null, new String[] {"--port=abc"}))
                .isInstanceOf(ConfigException.class)
                .hasMessage("RELAY_PORT (--port) must be a port number 0-65535, got 'abc'");
    }

    private Duration heartbeat(String text) {
        return ConfigLoader.load(Map.of("RELAY_HEARTBEAT", text), null).heartbeat();
    }

    private Path file(String name) {
        try {
            return Files.writeString(dir.resolve(name), "x");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void printingAConfigShowsNoSecret() {
        String apiKey = "k".repeat(40);
        NodeConfig config = ConfigLoader.load(Map.of("RELAY_JWT_SECRET", SECRET, "RELAY_API_KEY", apiKey,
                "RELAY_REDIS_URL", "redis://default:hunter2-redis@r:7000/0"), null);

        assertThat(config.toString()).doesNotContain(SECRET).doesNotContain(apiKey).doesNotContain("hunter2")
                .contains("jwtSecret=***", "apiKey=***", "redisUrl=redis://***@r:7000/0", "rate=50");
    }
}
