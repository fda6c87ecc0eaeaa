package io.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The system under test of the fault ITs: one real Redis process and relay nodes as child JVMs
 * ({@link NodeProcess}), which a test may kill, drain, or cut off from Redis. Register it per test
 * ({@code @RegisterExtension final ProcessCluster cluster = new ProcessCluster();}): when a test
 * fails, the tail of every node's log is attached to the failure (and printed); after each test,
 * every client, node and the Redis are stopped (a paused Redis is resumed first), so no process
 * outlives its test.
 */
public final class ProcessCluster implements AfterTestExecutionCallback, AfterEachCallback {
    private static final int LOG_LINES = 80;

    private final Tokens tokens = new Tokens(NodeProcess.SECRET);
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private RedisServerProcess redis;
    private Long pausedRedisPid;

    /** The Redis, started on first use. */
    public synchronized RedisServerProcess redis() {
        if (redis == null) {
            redis = RedisServerProcess.start();
        }
        return redis;
    }

    /**
     * Starts {@code count} nodes named {@code <prefix>-a}, {@code <prefix>-b}, ... with the
     * {@link NodeProcess#launch} defaults plus {@code env}; the JVMs start side by side and this
     * returns once every one answers {@code /readyz} with 200.
     */
    public List<NodeProcess> startNodes(String prefix, int count, Map<String, String> env) {
        String url = redis().url();
        List<NodeProcess> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            NodeProcess node = NodeProcess.launch(prefix + "-" + (char) ('a' + i), url, env);
            synchronized (this) {
                nodes.add(node);
            }
            started.add(node);
        }
        for (NodeProcess node : started) {
            node.awaitReady(NodeProcess.READY_TIMEOUT);
        }
        return started;
    }

    /** A token valid for an hour. */
    public String token(String user, String name) {
        return tokens.mint(user, name);
    }

    /** Connects {@code user} to {@code /ws} of {@code node} and returns once the welcome arrived. */
    public TestClient connect(NodeProcess node, String user, String name) {
        return track(TestClient.to(node.wsBase()).label(user + "@" + node.nodeId()).token(token(user, name))
                .connect());
    }

    /** Connects {@code user} to {@code node}, joins every room in turn and returns the client. */
    public TestClient member(NodeProcess node, String user, String name, String... rooms) {
        TestClient client = connect(node, user, name);
        for (String room : rooms) {
            client.join(room);
        }
        return client;
    }

    /** A {@link RawWebSocket} to {@code path} of {@code node} with a token for {@code user} in the {@code token} header. */
    public RawWebSocket raw(NodeProcess node, String path, String user, String name) {
        return track(RawWebSocket.connect(node.wsBase(), path, token(user, name), user + "@" + node.nodeId()));
    }

    /** Registers a client to be closed after the test. */
    public synchronized <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    /** A room's presence hash (user → parsed entry), read straight from Redis. */
    public Map<String, JsonNode> presence(String room) {
        return parsedHash(RedisKeys.presence(room));
    }

    /** A room's roster hash (user → parsed record), read straight from Redis. */
    public Map<String, JsonNode> roster(String room) {
        return parsedHash(RedisKeys.roster(room));
    }

    /** SIGSTOP to the Redis process: it keeps its sockets open and answers nothing until {@link #resumeRedis}. */
    public synchronized void pauseRedis() {
        long pid = redis().pid();
        signal("STOP", pid);
        pausedRedisPid = pid;
    }

    /** SIGCONT to a Redis paused by {@link #pauseRedis}. */
    public synchronized void resumeRedis() {
        if (pausedRedisPid != null) {
            signal("CONT", pausedRedisPid);
            pausedRedisPid = null;
        }
    }

    /** The tail of every node's log, for a failure message. */
    public synchronized String logs() {
        StringBuilder s = new StringBuilder();
        for (NodeProcess node : nodes) {
            s.append("\n==== node ").append(node).append(" (pid ").append(node.pid()).append(", ")
                    .append(node.isAlive() ? "running" : "exited").append(")\n").append(node.logTail(LOG_LINES));
        }
        return s.toString();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        context.getExecutionException().ifPresent(failure -> {
            String logs = logs();
            System.out.println("[" + context.getDisplayName() + "] failed; node logs:" + logs);
            failure.addSuppressed(new AssertionError("node logs:" + logs));
        });
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<AutoCloseable> open;
        List<NodeProcess> started;
        synchronized (this) {
            open = new ArrayList<>(clients);
            started = new ArrayList<>(nodes);
            clients.clear();
            nodes.clear();
        }
        open.forEach(ProcessCluster::closeQuietly);
        try {
            resumeRedis();
        } finally {
            started.forEach(NodeProcess::close);
            synchronized (this) {
                if (redis != null) {
                    redis.stop();
                    redis = null;
                }
            }
        }
    }

    private Map<String, JsonNode> parsedHash(String key) {
        Map<String, JsonNode> parsed = new LinkedHashMap<>();
        redis().commands().hgetall(key).forEach((field, value) -> parsed.put(field, Json.parse(value)));
        return parsed;
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " failed: "
                        + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void closeQuietly(AutoCloseable client) {
        try {
            client.close();
        } catch (Exception | AssertionError e) {
            // best effort: the node may be gone already
        }
    }
}
