package io.relay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A relay node as a real child JVM ({@code java -cp <this JVM's class path> io.relay.node.Main}),
 * configured only through {@code RELAY_*} environment variables, so a test can kill it with
 * SIGKILL or drain it with SIGTERM. Its stdout and stderr go to a log file under the build folder
 * ({@code <build>/fault-logs/}); {@link #logTail} reads the end of it for failure messages.
 * <p>
 * {@link #close()} kills the process if it still runs; a JVM shutdown hook kills any child the
 * tests forgot, so no node outlives the test JVM (short of the test JVM itself being SIGKILLed).
 */
public final class NodeProcess implements AutoCloseable {
    /** The shared JWT secret of every node the tests start. */
    public static final String SECRET = Cluster.SECRET;
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> JVM_FLAGS = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            // the node's own logging (INFO), not the test class path's quiet logback-test.xml
            "-Dlogback.configurationFile=logback.xml");
    private static final int START_ATTEMPTS = 3;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "relay-node-reaper"));
    }

    private final String nodeId;
    private final Map<String, String> env;
    private final Path log;
    private int port;
    private Process process;

    private NodeProcess(String nodeId, Map<String, String> env, Path log) {
        this.nodeId = nodeId;
        this.env = env;
        this.log = log;
    }

    /** Launches and waits until {@code /readyz} answers 200 (see {@link #launch}). */
    public static NodeProcess start(String nodeId, String redisUrl, Map<String, String> overrides) {
        NodeProcess node = launch(nodeId, redisUrl, overrides);
        node.awaitReady(READY_TIMEOUT);
        return node;
    }

    /**
     * Starts the child JVM without waiting for it: RELAY_PORT (a free port), RELAY_HOST=127.0.0.1,
     * RELAY_NODE_ID, RELAY_REDIS_URL, RELAY_JWT_SECRET, RELAY_UNSUBSCRIBE_DELAY=1s, then
     * {@code overrides} on top. No RELAY_* variable of the test JVM's own environment leaks in.
     * Call {@link #awaitReady} before using it.
     */
    public static NodeProcess launch(String nodeId, String redisUrl, Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RELAY_HOST", "127.0.0.1");
        env.put("RELAY_NODE_ID", nodeId);
        env.put("RELAY_REDIS_URL", redisUrl);
        env.put("RELAY_JWT_SECRET", SECRET);
        env.put("RELAY_UNSUBSCRIBE_DELAY", "1s");
        env.putAll(overrides);
        Path log = logDir().resolve(nodeId + "-" + System.currentTimeMillis() + ".log");
        NodeProcess node = new NodeProcess(nodeId, Map.copyOf(env), log);
        node.spawn();
        return node;
    }

    /**
     * Waits until {@code GET /readyz} answers 200; fails with the log tail if the process exits or
     * the deadline passes. A node that lost its port to another process meanwhile is started again
     * on another one.
     */
    public void awaitReady(Duration timeout) {
        for (int attempt = 1; ; attempt++) {
            try {
                Poll.until(timeout, () -> !isAlive() || readyz() == 200, "node " + nodeId + " to start");
            } catch (AssertionError e) {
                throw new AssertionError("node " + nodeId + " (pid " + pid() + ", port " + port
                        + ") not ready within " + timeout.toSeconds() + " s; /readyz " + readyz()
                        + "\n" + logTail(60), e);
            }
            if (isAlive()) {
                return;
            }
            String tail = logTail(60);
            if (attempt >= START_ATTEMPTS || !tail.contains("Address already in use")) {
                throw new AssertionError("node " + nodeId + " exited with " + process.exitValue()
                        + " before it was ready:\n" + tail);
            }
            spawn();
        }
    }

    public String nodeId() {
        return nodeId;
    }

    public int port() {
        return port;
    }

    public synchronized long pid() {
        return process.pid();
    }

    public synchronized boolean isAlive() {
        return process.isAlive();
    }

    /** The environment the node was started with (RELAY_* only). */
    public Map<String, String> env() {
        return env;
    }

    /** {@code ws://127.0.0.1:<port>}. */
    public URI wsBase() {
        return URI.create("ws://127.0.0.1:" + port);
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The status of {@code GET path}, or -1 when no answer came within {@code timeout}. */
    public int status(String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(http(path)).timeout(timeout).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: GET " + request.uri(), e);
        }
    }

    /** The status of {@code GET /readyz} (-1: no answer within 2 s). */
    public int readyz() {
        return status("/readyz", Duration.ofSeconds(2));
    }

    /** The status of {@code GET /healthz} (-1: no answer within 2 s). */
    public int healthz() {
        return status("/healthz", Duration.ofSeconds(2));
    }

    /** SIGKILL, and returns once the process is gone. */
    public void kill9() {
        Process p;
        synchronized (this) {
            p = process;
        }
        p.destroyForcibly();
        awaitGone(p, Duration.ofSeconds(10));
    }

    /** SIGKILL to all of {@code victims} first, then waits for each to be gone: nodes dying at once. */
    public static void kill9(List<NodeProcess> victims) {
        List<Process> processes = new ArrayList<>();
        for (NodeProcess node : victims) {
            synchronized (node) {
                processes.add(node.process);
            }
        }
        processes.forEach(Process::destroyForcibly);
        for (int i = 0; i < victims.size(); i++) {
            victims.get(i).awaitGone(processes.get(i), Duration.ofSeconds(10));
        }
    }

    /** SIGTERM; returns at once. */
    public synchronized void sigterm() {
        process.destroy();
    }

    /** Waits for the process to exit and returns its exit code; fails if it still runs after {@code timeout}. */
    public int waitForExit(Duration timeout) {
        Process p;
        synchronized (this) {
            p = process;
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("node " + nodeId + " (pid " + p.pid() + ") still running "
                        + timeout.toMillis() + " ms later\n" + logTail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return p.exitValue();
    }

    /** The last {@code lines} lines of the node's log (stdout and stderr). */
    public String logTail(int lines) {
        List<String> all;
        try {
            all = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException | UncheckedIOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
        List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
        return "---- last " + tail.size() + " lines of " + log + " ----\n" + String.join("\n", tail);
    }

    public Path log() {
        return log;
    }

    /** Kills the process if it still runs, and waits for it to go. */
    @Override
    public void close() {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            awaitGone(p, Duration.ofSeconds(10));
        }
        if (p != null) {
            LIVE.remove(p);
        }
    }

    @Override
    public String toString() {
        return nodeId + "@" + port;
    }

    private synchronized void spawn() {
        port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.relay.node.Main");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("RELAY_"));
        builder.environment().putAll(env);
        builder.environment().put("RELAY_PORT", Integer.toString(port));
        try {
            Files.writeString(log, "==== " + String.join(" ", command.subList(0, command.size() - 3))
                    + " ... io.relay.node.Main, port " + port + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + nodeId, e);
        }
        LIVE.add(process);
    }

    private void awaitGone(Process p, Duration timeout) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("node " + nodeId + " (pid " + p.pid() + ") survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (!p.isAlive()) {
                LIVE.remove(p);
            }
        }
    }

    /** {@code <build folder>/fault-logs}: the parent of the test classes folder ({@code target-d}, say). */
    private static Path logDir() {
        Path dir;
        try {
            Path classes = Path.of(NodeProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            dir = classes.getParent().resolve("fault-logs");
        } catch (URISyntaxException | RuntimeException e) {
            dir = Path.of(System.getProperty("java.io.tmpdir"), "relay-fault-logs");
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
