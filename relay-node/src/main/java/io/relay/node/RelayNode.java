package io.relay.node;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.relay.api.ApiRoutes;
import io.relay.api.DevTokenRoute;
import io.relay.api.HealthRoutes;
import io.relay.api.MetricsRoute;
import io.relay.api.StaticRoutes;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.relay.auth.TokenMinter;
import io.relay.auth.TokenVerifier;
import io.relay.broker.RedisBroker;
import io.relay.config.NodeConfig;
import io.relay.history.RedisHistory;
import io.relay.hub.Hub;
import io.relay.hub.Lanes;
import io.relay.model.CloseCode;
import io.relay.model.FrameCodec;
import io.relay.presence.NodeLiveness;
import io.relay.presence.RedisPresence;
import io.relay.redis.Keys;
import io.relay.session.Session;
import io.relay.session.Sessions;
import io.relay.transport.HttpServer;
import io.relay.transport.TlsContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioWorker;

/**
 * One relay node: the composition root. Builds every part from the config, wires them, starts
 * listening, and takes them down again in reverse order. The only place that makes Redis
 * connections, threads and the HTTP server.
 */
public final class RelayNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayNode.class);
    /** Most messages replayed on one join with {@code since}; beyond it the join answers {@code recovered: false}. */
    static final int MAX_REPLAY = 1000;
    /**
     * The Redis timer's tick. Lettuce's default wheel ticks every 100 ms, ten wake-ups a second on
     * an idle node; at 500 ms a command times out at most half a second after RELAY_REDIS_TIMEOUT.
     */
    static final Duration REDIS_TIMER_TICK = Duration.ofMillis(500);

    private final NodeConfig config;
    private static final Duration STARTUP_PROBE_WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Sessions sessions;
    private Drain drain;
    private NodeLiveness liveness;
    private StatefulRedisConnection<String, String> commands;
    private volatile boolean draining;
    private volatile boolean warming;
    private RedisBroker broker;
    private HttpServer http;
    private volatile boolean stopping;
    private String devToken;

    private RelayNode(NodeConfig config) {
        this.config = config;
    }

    /**
     * Starts a node; returns once it listens and has run its RELAY_WARMUP rounds. Throws (having released
     * what it made) when it cannot start.
     */
    public static RelayNode start(NodeConfig config) {
        refuseWhatIsNotBuilt(config);
        RelayNode node = new RelayNode(config);
        try {
            node.build();
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void build() {
        // a bad certificate or key stops the node before anything else starts
        SSLContext tls = config.tlsCert() == null ? null : TlsContext.load(config.tlsCert(), config.tlsKey());
        String redisUrl = config.redisUrl() != null ? config.redisUrl() : own(EmbeddedRedis.start()).url();
        String secret = config.devMode() ? randomSecret() : config.jwtSecret();
        NodeConfig effective = config.devMode() ? config.toBuilder().jwtSecret(secret).build() : config;
        TokenVerifier verifier = TokenVerifier.create(effective);

        EventLoopGroupProvider redisThread = new DefaultEventLoopGroupProvider(1);
        resources.add(() -> redisThread.shutdown(0, 2, TimeUnit.SECONDS).get()); // Lettuce leaves a given one to us
        HashedWheelTimer redisTimer = new HashedWheelTimer(
                new DefaultThreadFactory("relay-redis-timer", true), REDIS_TIMER_TICK.toMillis(), TimeUnit.MILLISECONDS);
        resources.add(redisTimer::stop); // Lettuce leaves a given timer to us too
        ClientResources redisResources = redisResources(redisThread, redisTimer);
        resources.add(() -> redisResources.shutdown(0, 2, TimeUnit.SECONDS).get()); // after the client, its user
        RedisClient client = RedisClient.create(redisResources, RedisURI.create(redisUrl));
        client.setOptions(clientOptions(config.redisTimeout()));
        resources.add(client::shutdown);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        client.addListener(new RedisCommandMeter(registry)); // before connecting: Lettuce wraps commands per connection
        commands = own(client.connect(StringCodec.UTF8));
        StatefulRedisPubSubConnection<String, byte[]> pubsub =
                own(client.connectPubSub(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE)));

        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "relay-timer"));
        resources.add(timer::shutdownNow);
        XnioWorker worker = HttpServer.newWorker(config.ioThreads());
        resources.add(() -> shutDown(worker)); // after the HTTP server, which runs on it
        Lanes lanes = own(Lanes.over(ioThreads(worker), 65_536));
        Hub hub = new Hub(lanes, config.outboundQueue());
        sessions = new Sessions(config.maxConnectionsPerUser());
        Keys keys = new Keys(config.keyPrefix());
        FrameCodec codec = new FrameCodec();

        RedisHistory history = new RedisHistory(keys, commands, config.historyTtl());
        RedisPresence presence = new RedisPresence(keys, commands, config.nodeId(), config.historyTtl());
        LinkRecovery recovery = new LinkRecovery(hub, history, presence, codec, MAX_REPLAY);
        broker = new RedisBroker(keys, config.nodeId(), client, commands, pubsub, new Fanout(hub, sessions, recovery),
                timer, config.unsubscribeDelay(), config.historySize(), config.historyTtl());
        Joins joins = new Joins(codec, hub, broker, presence, history, config.maxRoomsPerConnection(), MAX_REPLAY);
        liveness = new NodeLiveness(keys, commands, config.nodeId(), config.nodeTtl(), describe());
        Metrics metrics = own(new Metrics(registry, sessions, hub, lanes, broker, liveness));
        Coordinator coordinator = new Coordinator(codec, sessions, broker, presence, history, verifier, joins,
                config.nodeId(), (int) config.heartbeat().toSeconds(), config.allowPublishWithoutJoin(), metrics);
        drain = new Drain(sessions, session -> coordinator.closed(session, -1));

        await(liveness.sweepLeftoversOfSelf(), "sweeping what an earlier run of node " + config.nodeId() + " left");
        liveness.beat();
        every(timer, liveness.interval(), liveness::beat);
        every(timer, Duration.ofSeconds(1), liveness::sweepDead);
        every(timer, Duration.ofSeconds(1), broker::probe);
        awaitDelivering();

        http = HttpServer.create(config, worker, verifier, sessions, coordinator, codec, this::serving, metrics, tls);
        HealthRoutes.register(http.routes(), this::ready);
        MetricsRoute.register(http.routes(), registry);
        StaticRoutes.register(http.routes());
        ApiRoutes.register(http.routes(), config.apiKey(), config.maxFrameBytes(), codec, broker, presence, history);
        if (config.devMode() || config.devTokens()) {
            DevTokenRoute.register(http.routes(), new TokenMinter(secret));
        }
        if (config.devMode()) {
            devToken = new TokenMinter(secret).mint("dev", "Developer", Duration.ofHours(24));
        } else if (config.devTokens()) {
            log.warn("RELAY_DEV_TOKENS=true: anyone who can reach this node can mint a token at POST /dev/token "
                    + "(demo clusters only, never in production)");
        }
        warming = config.warmup() > 0; // before the port opens: /readyz must not say ready in between
        http.start();
        resources.add(this::closeHttp);
        Heartbeats heartbeats = new Heartbeats(sessions, config.heartbeat());
        every(timer, heartbeats.period(), heartbeats);
        log.info("node {} listening on {}://{}:{} (redis {})", config.nodeId(), tls == null ? "http" : "https",
                config.host(), http.port(), RedisURI.create(redisUrl).toString());
        if (config.warmup() > 0) {
            warmUp(worker, secret);
        }
        if (config.devMode()) {
            announceDevMode();
        }
    }

    /** {@link Warmup}, with /readyz answering 503 meanwhile; upgrades are served all along. */
    private void warmUp(XnioWorker worker, String secret) {
        try {
            new Warmup(worker, http.ownWebSocketUri(), new TokenMinter(secret, config.jwtIssuer(), config.jwtAudience()),
                    config.nodeId()).run(config.warmup());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            warming = false;
        }
    }

    /**
     * SIGTERM: not ready at once (new upgrades get 503), clients closed with 1012 in batches, their
     * presence removed (leave events sent), then everything stopped; within the drain timeout.
     */
    public void drainAndClose() {
        draining = true;
        try {
            drain.run(config.drainTimeout());
            commands.async().ping().toCompletableFuture().get(2, TimeUnit.SECONDS); // presence leaves are done
            liveness.retire().toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("drain did not finish cleanly: {}", e.toString());
        }
        close();
        log.info("node {} drained and stopped", config.nodeId());
    }

    private void awaitDelivering() {
        long deadline = System.nanoTime() + STARTUP_PROBE_WAIT.toNanos();
        while (!broker.isDelivering()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis pub/sub did not deliver this node's probe within "
                        + STARTUP_PROBE_WAIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting", e);
            }
        }
    }

    private String describe() {
        return "{\"id\":\"" + config.nodeId() + "\",\"started\":" + System.currentTimeMillis() + "}";
    }

    /** True while the node can serve clients and has warmed up (RELAY_WARMUP): what /readyz answers. */
    public boolean ready() {
        return serving() && !warming;
    }

    /** True while upgrades are taken: not stopping or draining, and its probe comes back through Redis. */
    private boolean serving() {
        return !stopping && !draining && broker != null && broker.isDelivering();
    }

    public int port() {
        return http.port();
    }

    public String nodeId() {
        return config.nodeId();
    }

    /** Stops at once: closes clients with 1012, then everything else, in reverse order of making. */
    @Override
    public synchronized void close() { // SIGTERM's drain and the shutdown hook may both get here
        stopping = true;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("while stopping: {}", e.toString());
            }
        }
        resources.clear();
    }

    private void closeHttp() {
        for (Session session : sessions.all()) {
            session.close(CloseCode.RESTARTING, "node stopping");
        }
        http.close();
    }

    private void announceDevMode() {
        String tls = config.tlsCert() == null ? "" : "s";
        String url = "ws" + tls + "://localhost:" + http.port() + "/ws/lobby?token=" + devToken;
        // printed, not logged: a demo credential for the person starting the node, never written to log files
        System.out.println();
        System.out.println("  DEVELOPMENT MODE: no RELAY_JWT_SECRET / RELAY_JWT_PUBLIC_KEY, tokens are signed with a random secret.");
        System.out.println("  A token for user 'dev' (valid 24 h):  " + devToken);
        System.out.println("  Try:  npx wscat -c '" + url + "'");
        System.out.println("  More tokens:  curl -X POST 'http" + tls + "://localhost:" + http.port() + "/dev/token?user=ann&name=Ann'");
        System.out.println();
    }

    /** A setting the node cannot honour stops it, rather than running without what was asked for. */
    private static void refuseWhatIsNotBuilt(NodeConfig config) {
        if (config.redisCluster()) {
            throw new IllegalArgumentException("RELAY_REDIS_CLUSTER=true is not supported yet: use a single Redis "
                    + "or Sentinel (RELAY_REDIS_URL=redis-sentinel://...)");
        }
        if (config.devMode() && (config.jwtIssuer() != null || config.jwtAudience() != null)) {
            throw new IllegalArgumentException("RELAY_JWT_ISSUER/RELAY_JWT_AUDIENCE need RELAY_JWT_SECRET or "
                    + "RELAY_JWT_PUBLIC_KEY: development-mode tokens carry no iss/aud");
        }
    }

    /**
     * One Redis I/O thread for both connections ({@code redisThread}; Lettuce's own minimum is two):
     * a publish's reply and its pub/sub echo arrive together and are read in one wake-up. No command
     * latency recording (Lettuce turns it on when LatencyUtils is on the class path, as Micrometer puts
     * it): it costs work per command and nothing reads it; Relay's own metrics time publishes. The
     * timer ({@link #REDIS_TIMER_TICK}) times out commands and spaces reconnects.
     */
    private static ClientResources redisResources(EventLoopGroupProvider redisThread, Timer redisTimer) {
        return ClientResources.builder()
                .eventLoopGroupProvider(redisThread)
                .timer(redisTimer)
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .build();
    }

    private static ClientOptions clientOptions(Duration timeout) {
        return ClientOptions.builder()
                .autoReconnect(true)
                // commands fail fast while Redis is away instead of piling up in an unbounded queue
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(65_536)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().keepAlive(true).connectTimeout(timeout).build())
                .build();
    }

    private static Executor[] ioThreads(XnioWorker worker) {
        Executor[] threads = new Executor[worker.getIoThreadCount()];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = worker.getIoThread(i);
        }
        return threads;
    }

    private static void shutDown(XnioWorker worker) throws InterruptedException {
        worker.shutdown();
        if (!worker.awaitTermination(2, TimeUnit.SECONDS)) {
            log.warn("XNIO worker still running 2 s after shutdown");
        }
    }

    private static void every(ScheduledExecutorService timer, Duration period, Runnable task) {
        timer.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) { // a periodic task that throws would never run again
                log.warn("periodic task failed: {}", e.toString());
            }
        }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void await(java.util.concurrent.CompletionStage<?> stage, String what) {
        try {
            stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (Exception e) {
            throw new IllegalStateException("failed: " + what + ": " + e.getMessage(), e);
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.add(resource);
        return resource;
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
