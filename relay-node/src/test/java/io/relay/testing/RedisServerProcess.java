package io.relay.testing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisExecProvider;

/**
 * A real redis-server process on a free 127.0.0.1 port, for tests. The binary comes from the
 * {@code org.signal:embedded-redis} jar (a static build, so nothing needs to be installed), but the
 * process is run and reaped here: embedded-redis's own {@code RedisServer} gives no handle to the
 * process, stops its stdout reader after start-up and cannot report whether the process is gone.
 * <p>
 * Nothing is persisted ({@code --save ""}, {@code --appendonly no}), so {@link #restart()} gives an
 * empty Redis on the same port. {@link #commands()} is a sync Lettuce client for assertions; it is
 * closed by {@link #stop()}.
 */
public final class RedisServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int OUTPUT_LINES_KEPT = 40;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final ClientResources RESOURCES = DefaultClientResources.builder()
            .ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    private static File binary;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "redis-test-reaper"));
    }

    private final int port;
    private final Deque<String> output = new ArrayDeque<>();
    private Process process;
    private Path workDir;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisServerProcess(int port) {
        this.port = port;
    }

    /** Starts a Redis on a free port; retries with another port if the chosen one was taken meanwhile. */
    public static RedisServerProcess start() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            RedisServerProcess redis = new RedisServerProcess(freePort());
            try {
                redis.launch();
                return redis;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The OS process id, for diagnostics. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("redis on port " + port + " is not running");
        }
        return process.pid();
    }

    /** A sync client connected to this Redis, made on first use; closed by {@link #stop()}. */
    public synchronized RedisCommands<String, String> commands() {
        if (!isRunning()) {
            throw new IllegalStateException("redis on port " + port + " is not running");
        }
        if (connection == null) {
            client = RedisClient.create(RESOURCES, RedisURI.builder().withHost("127.0.0.1").withPort(port)
                    .withTimeout(Duration.ofSeconds(5)).build());
            client.setOptions(ClientOptions.builder().autoReconnect(false).build());
            connection = client.connect();
        }
        return connection.sync();
    }

    /** Stops the process (SIGTERM, then SIGKILL) and returns only once it has exited. Idempotent. */
    public synchronized void stop() {
        closeClient();
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        try {
            p.destroy();
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("redis pid " + p.pid() + " on port " + port + " did not exit");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while stopping redis on port " + port, e);
        } finally {
            LIVE.remove(p);
            deleteWorkDir();
        }
    }

    /** Stops this Redis and starts a new, empty one on the same port. */
    public synchronized void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void launch() {
        if (process != null) {
            throw new IllegalStateException("redis on port " + port + " is already running");
        }
        synchronized (output) {
            output.clear();
        }
        try {
            workDir = Files.createTempDirectory("relay-it-redis-");
            process = new ProcessBuilder(List.of(binary().getAbsolutePath(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--daemonize", "no", "--dir", workDir.toString(), "--loglevel", "notice"))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        LIVE.add(process);
        Thread reader = new Thread(() -> drain(process), "redis-" + port + "-output");
        reader.setDaemon(true);
        reader.start();
        awaitReady();
    }

    private void awaitReady() {
        Process p = process;
        try {
            Poll.until(START_TIMEOUT, () -> !p.isAlive() || outputContains("Ready to accept connections"),
                    "redis-server on port " + port + " to start");
        } catch (AssertionError e) {
            // fall through: reported below with the process output
        }
        if (!p.isAlive() || !outputContains("Ready to accept connections")) {
            String log = outputText();
            stop();
            throw new IllegalStateException("redis-server on port " + port + " did not start:\n" + log);
        }
    }

    private void drain(Process p) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (output) {
                    if (output.size() == OUTPUT_LINES_KEPT) {
                        output.removeFirst();
                    }
                    output.addLast(line);
                }
            }
        } catch (IOException e) {
            // the process is gone; nothing more to read
        }
    }

    private boolean outputContains(String text) {
        synchronized (output) {
            return output.stream().anyMatch(line -> line.contains(text));
        }
    }

    private String outputText() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private void closeClient() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            client = null;
        }
    }

    private void deleteWorkDir() {
        if (workDir == null) {
            return;
        }
        try (var files = Files.walk(workDir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover empty temp directory is harmless
        }
        workDir = null;
    }

    private static synchronized File binary() throws IOException {
        if (binary == null) {
            binary = RedisExecProvider.defaultProvider().get();
        }
        return binary;
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
