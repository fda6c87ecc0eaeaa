package io.relay.config;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Everything a node is configured with, immutable. Defaults live in {@link #defaults()} and nowhere
 * else; {@link ConfigLoader} reads the environment and flags into a {@link Builder} and validates.
 * Optional values are null when unset.
 *
 * @param port HTTP and WebSocket port (0: any free port)
 * @param host address to bind
 * @param nodeId this node's id in Redis and logs
 * @param redisUrl redis://, rediss:// or redis-sentinel:// URI; null: start an embedded Redis (development)
 * @param redisCluster treat redisUrl as Redis Cluster seed nodes
 * @param keyPrefix prefix of every Redis key and channel
 * @param jwtSecret HS256 secret; with jwtPublicKey also null the node runs in development mode
 * @param jwtPublicKey PEM file of an RS256 or ES256 public key
 * @param jwtIssuer required {@code iss}, or null
 * @param jwtAudience required {@code aud}, or null
 * @param jwtRequireExp refuse tokens without {@code exp}
 * @param allowedOrigins Origin allow-list; null: any origin in development mode, none otherwise
 * @param apiKey bearer key of the server API; null: API off
 * @param maxFrameBytes largest client frame accepted
 * @param rate per-connection frames per second
 * @param burst per-connection burst of frames
 * @param maxConnectionsPerUser open connections of one user on this node
 * @param maxRoomsPerConnection rooms one connection may be in at once
 * @param allowPublishWithoutJoin let a connection publish to a room it has not joined (its token must still allow the room)
 * @param outboundQueue frames queued to one client before it is closed as slow
 * @param historySize messages kept per room
 * @param historyTtl how long a quiet room's history is kept
 * @param nodeTtl liveness key expiry
 * @param heartbeat WebSocket ping interval
 * @param drainTimeout how long a SIGTERM drain may take
 * @param redisTimeout Redis command timeout; past it a client gets {@code unavailable}
 * @param unsubscribeDelay how long a room channel stays subscribed after its last local member left
 * @param tlsCert PEM certificate chain for wss:// and https://, or null
 * @param tlsKey PEM private key for tlsCert, or null
 * @param logFormat {@code text} or {@code json}
 * @param devTokens serve {@code POST /dev/token} even with a configured HS256 secret (demo clusters only)
 * @param ioThreads Undertow's socket I/O threads
 * @param warmup loopback connections run through the connect path before the node says ready (0: none)
 */
public record NodeConfig(
        int port,
        String host,
        String nodeId,
        String redisUrl,
        boolean redisCluster,
        String keyPrefix,
        String jwtSecret,
        Path jwtPublicKey,
        String jwtIssuer,
        String jwtAudience,
        boolean jwtRequireExp,
        List<String> allowedOrigins,
        String apiKey,
        int maxFrameBytes,
        int rate,
        int burst,
        int maxConnectionsPerUser,
        int maxRoomsPerConnection,
        boolean allowPublishWithoutJoin,
        int outboundQueue,
        int historySize,
        Duration historyTtl,
        Duration nodeTtl,
        Duration heartbeat,
        Duration drainTimeout,
        Duration redisTimeout,
        Duration unsubscribeDelay,
        Path tlsCert,
        Path tlsKey,
        String logFormat,
        boolean devTokens,
        int ioThreads,
        int warmup) {

    public NodeConfig {
        allowedOrigins = allowedOrigins == null ? null : List.copyOf(allowedOrigins);
    }

    /**
     * Every field, with the JWT secret, the API key and a password in the Redis URL masked: the record's
     * own {@code toString} would print them wherever a config ends up in a log or an exception.
     */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "NodeConfig[", "]");
        for (RecordComponent field : NodeConfig.class.getRecordComponents()) {
            out.add(field.getName() + "=" + shown(field));
        }
        return out.toString();
    }

    private static final Set<String> SECRETS = Set.of("jwtSecret", "apiKey");

    private String shown(RecordComponent field) {
        Object value;
        try {
            value = field.getAccessor().invoke(this);
        } catch (ReflectiveOperationException e) {
            return "?";
        }
        if (value != null && SECRETS.contains(field.getName())) {
            return "***";
        }
        if (value != null && field.getName().equals("redisUrl")) {
            return value.toString().replaceAll("(?<=://)[^@/]*@", "***@");
        }
        return String.valueOf(value);
    }

    /** True when no JWT key is configured: a random secret is made and a demo token printed. */
    public boolean devMode() {
        return jwtSecret == null && jwtPublicKey == null;
    }

    /** The defaults of DESIGN.md; {@code nodeId} is left for the loader to make. */
    public static Builder defaults() {
        return new Builder()
                .port(8080).host("0.0.0.0").redisCluster(false).keyPrefix("relay").jwtRequireExp(true)
                .maxFrameBytes(65_536).rate(50).burst(100).maxConnectionsPerUser(20).maxRoomsPerConnection(100).allowPublishWithoutJoin(false)
                .outboundQueue(1024).historySize(1000).historyTtl(Duration.ofHours(24))
                .nodeTtl(Duration.ofSeconds(10)).heartbeat(Duration.ofSeconds(25))
                .drainTimeout(Duration.ofSeconds(10)).redisTimeout(Duration.ofSeconds(2))
                .unsubscribeDelay(Duration.ofSeconds(5)).logFormat("text").devTokens(false)
                .ioThreads(Math.max(2, Runtime.getRuntime().availableProcessors())).warmup(0);
    }

    public Builder toBuilder() {
        return new Builder().port(port).host(host).nodeId(nodeId).redisUrl(redisUrl).redisCluster(redisCluster)
                .keyPrefix(keyPrefix).jwtSecret(jwtSecret).jwtPublicKey(jwtPublicKey).jwtIssuer(jwtIssuer)
                .jwtAudience(jwtAudience).jwtRequireExp(jwtRequireExp).allowedOrigins(allowedOrigins)
                .apiKey(apiKey).maxFrameBytes(maxFrameBytes).rate(rate).burst(burst)
                .maxConnectionsPerUser(maxConnectionsPerUser).maxRoomsPerConnection(maxRoomsPerConnection)
                .allowPublishWithoutJoin(allowPublishWithoutJoin)
                .outboundQueue(outboundQueue).historySize(historySize).historyTtl(historyTtl).nodeTtl(nodeTtl)
                .heartbeat(heartbeat).drainTimeout(drainTimeout).redisTimeout(redisTimeout)
                .unsubscribeDelay(unsubscribeDelay).tlsCert(tlsCert).tlsKey(tlsKey).logFormat(logFormat)
                .devTokens(devTokens).ioThreads(ioThreads).warmup(warmup);
    }

    /** Mutable staging area for a config; {@link #build()} makes the record (validation is the loader's). */
    public static final class Builder {
        private int port;
        private String host;
        private String nodeId;
        private String redisUrl;
        private boolean redisCluster;
        private String keyPrefix;
        private String jwtSecret;
        private Path jwtPublicKey;
        private String jwtIssuer;
        private String jwtAudience;
        private boolean jwtRequireExp;
        private List<String> allowedOrigins;
        private String apiKey;
        private int maxFrameBytes;
        private int rate;
        private int burst;
        private int maxConnectionsPerUser;
        private int maxRoomsPerConnection;
        private boolean allowPublishWithoutJoin;
        private int outboundQueue;
        private int historySize;
        private Duration historyTtl;
        private Duration nodeTtl;
        private Duration heartbeat;
        private Duration drainTimeout;
        private Duration redisTimeout;
        private Duration unsubscribeDelay;
        private Path tlsCert;
        private Path tlsKey;
        private String logFormat;
        private boolean devTokens;
        private int ioThreads;
        private int warmup;

        private Builder() {
        }

        public Builder port(int v) { port = v; return this; }
        public Builder host(String v) { host = v; return this; }
        public Builder nodeId(String v) { nodeId = v; return this; }
        public Builder redisUrl(String v) { redisUrl = v; return this; }
        public Builder redisCluster(boolean v) { redisCluster = v; return this; }
        public Builder keyPrefix(String v) { keyPrefix = v; return this; }
        public Builder jwtSecret(String v) { jwtSecret = v; return this; }
        public Builder jwtPublicKey(Path v) { jwtPublicKey = v; return this; }
        public Builder jwtIssuer(String v) { jwtIssuer = v; return this; }
        public Builder jwtAudience(String v) { jwtAudience = v; return this; }
        public Builder jwtRequireExp(boolean v) { jwtRequireExp = v; return this; }
        public Builder allowedOrigins(List<String> v) { allowedOrigins = v; return this; }
        public Builder apiKey(String v) { apiKey = v; return this; }
        public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
        public Builder rate(int v) { rate = v; return this; }
        public Builder burst(int v) { burst = v; return this; }
        public Builder maxConnectionsPerUser(int v) { maxConnectionsPerUser = v; return this; }
        public Builder maxRoomsPerConnection(int v) { maxRoomsPerConnection = v; return this; }
        public Builder allowPublishWithoutJoin(boolean v) { allowPublishWithoutJoin = v; return this; }
        public Builder outboundQueue(int v) { outboundQueue = v; return this; }
        public Builder historySize(int v) { historySize = v; return this; }
        public Builder historyTtl(Duration v) { historyTtl = v; return this; }
        public Builder nodeTtl(Duration v) { nodeTtl = v; return this; }
        public Builder heartbeat(Duration v) { heartbeat = v; return this; }
        public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }
        public Builder redisTimeout(Duration v) { redisTimeout = v; return this; }
        public Builder unsubscribeDelay(Duration v) { unsubscribeDelay = v; return this; }
        public Builder tlsCert(Path v) { tlsCert = v; return this; }
        public Builder tlsKey(Path v) { tlsKey = v; return this; }
        public Builder logFormat(String v) { logFormat = v; return this; }
        public Builder devTokens(boolean v) { devTokens = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder warmup(int v) { warmup = v; return this; }

        public NodeConfig build() {
            return new NodeConfig(port, host, nodeId, redisUrl, redisCluster, keyPrefix, jwtSecret, jwtPublicKey,
                    jwtIssuer, jwtAudience, jwtRequireExp, allowedOrigins, apiKey, maxFrameBytes, rate, burst,
                    maxConnectionsPerUser, maxRoomsPerConnection, allowPublishWithoutJoin, outboundQueue, historySize, historyTtl, nodeTtl,
                    heartbeat, drainTimeout, redisTimeout, unsubscribeDelay, tlsCert, tlsKey, logFormat,
                    devTokens, ioThreads, warmup);
        }
    }
}
