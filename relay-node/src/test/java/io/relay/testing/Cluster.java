package io.relay.testing;

import io.relay.config.NodeConfig;
import io.relay.node.RelayNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * One real Redis process and N real relay nodes on random ports, sharing a JWT secret: the
 * system under test of every IT. Nodes are {@code node-a}, {@code node-b}, ... in index order.
 * Clients opened through the cluster are tracked, so {@link #closeClients()} after each test
 * leaves the next one a quiet cluster, and {@link #close()} stops everything.
 */
public final class Cluster implements AutoCloseable {
    public static final String SECRET = "relay-integration-tests-secret-0123456789";
    private static final AtomicInteger UNIQUE = new AtomicInteger();
    private static final Duration NODE_CLOSE_TIMEOUT = Duration.ofSeconds(15);

    private final RedisServerProcess redis;
    private final List<NodeConfig> configs = new ArrayList<>();
    private final List<RelayNode> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();
    private final Tokens tokens = new Tokens(SECRET);

    private Cluster(RedisServerProcess redis) {
        this.redis = redis;
    }

    /** A Redis and {@code size} nodes with the test defaults of {@link #baseConfig}. */
    public static Cluster start(int size) {
        return start(size, b -> b);
    }

    /** As {@link #start(int)}, with {@code tweak} applied to every node's config. */
    public static Cluster start(int size, UnaryOperator<NodeConfig.Builder> tweak) {
        Cluster cluster = new Cluster(RedisServerProcess.start());
        try {
            for (int i = 0; i < size; i++) {
                NodeConfig config = tweak.apply(baseConfig(nodeName(i), cluster.redis.url())).build();
                cluster.configs.add(config);
                cluster.nodes.add(RelayNode.start(config));
            }
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The config every test node starts from: loopback, random port, shared secret, 1 s unsubscribe delay. */
    public static NodeConfig.Builder baseConfig(String nodeId, String redisUrl) {
        return NodeConfig.defaults().port(0).host("127.0.0.1").nodeId(nodeId).redisUrl(redisUrl)
                .jwtSecret(SECRET).unsubscribeDelay(Duration.ofSeconds(1));
    }

    /** A name no other test in this JVM uses, for rooms and users: {@code prefix-<n>}. */
    public static String unique(String prefix) {
        return prefix + "-" + UNIQUE.incrementAndGet();
    }

    public static String nodeName(int index) {
        return "node-" + (char) ('a' + index);
    }

    public RedisServerProcess redis() {
        return redis;
    }

    public int size() {
        return nodes.size();
    }

    public RelayNode node(int index) {
        return nodes.get(index);
    }

    public String nodeId(int index) {
        return configs.get(index).nodeId();
    }

    public NodeConfig config(int index) {
        return configs.get(index);
    }

    /** {@code ws://127.0.0.1:<port>} of a node. */
    public URI wsBase(int index) {
        return URI.create("ws://127.0.0.1:" + node(index).port());
    }

    /** {@code http://127.0.0.1:<port><path>} of a node. */
    public URI http(int index, String path) {
        return URI.create("http://127.0.0.1:" + node(index).port() + path);
    }

    public Tokens tokens() {
        return tokens;
    }

    /** A token valid for an hour, for {@code user} with display {@code name}. */
    public String token(String user, String name) {
        return tokens.mint(user, name);
    }

    /** A connection description for a node, labelled for failure messages; connect it, then {@link #track} it. */
    public Connector client(int index, String label) {
        return TestClient.to(wsBase(index)).label(label + "@" + nodeId(index));
    }

    /** Connects {@code user} to {@code /ws} of a node and returns once the welcome arrived. */
    public TestClient connect(int index, String user, String name) {
        return track(client(index, user).token(token(user, name)).connect());
    }

    /**
     * Connects {@code user} to {@code /ws/{room}} of a node and returns once the welcome arrived;
     * the {@code joined} (or {@code error}) frame that follows is left for the test to await.
     */
    public TestClient connectRoom(int index, String room, String user, String name) {
        return track(client(index, user).path("/ws/" + room).token(token(user, name)).connect());
    }

    /** Registers a client for {@link #closeClients()}. */
    public TestClient track(TestClient client) {
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** Closes every tracked client; call after each test. */
    public void closeClients() {
        List<TestClient> open;
        synchronized (clients) {
            open = new ArrayList<>(clients);
            clients.clear();
        }
        open.forEach(TestClient::close);
    }

    /** Stops one node (its clients see their connections end). */
    public void stopNode(int index) {
        RelayNode node = nodes.get(index);
        if (node != null) {
            nodes.set(index, null);
            closeBounded(node);
        }
    }

    /** Subscribers of a pub/sub channel, counted by Redis: one per node holding it. */
    public long numsub(String channel) {
        return redis.commands().pubsubNumsub(channel).getOrDefault(channel, 0L);
    }

    @Override
    public void close() {
        AssertionError failure = null;
        try {
            closeClients();
            for (int i = 0; i < nodes.size(); i++) {
                try {
                    stopNode(i);
                } catch (AssertionError e) {
                    failure = e;
                }
            }
        } finally {
            redis.stop();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes a node, but never lets a hanging close hang the whole test run. */
    private static void closeBounded(RelayNode node) {
        Thread closer = new Thread(node::close, "close-" + node.nodeId());
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(NODE_CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            throw new AssertionError("RelayNode " + node.nodeId() + " did not close within "
                    + NODE_CLOSE_TIMEOUT.toSeconds() + " s");
        }
    }
}
