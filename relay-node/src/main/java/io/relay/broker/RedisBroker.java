package io.relay.broker;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.relay.redis.Epochs;
import io.relay.redis.Keys;
import io.relay.redis.LuaScript;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Broker} on Redis pub/sub: one shared pub/sub connection, exact SUBSCRIBE, never patterns. */
public final class RedisBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    private static final Duration DEDUP_WINDOW = Duration.ofMinutes(5);
    private static final LuaScript PUBLISH = LuaScript.load("publish", "room_position");
    private static final Duration RELINK_RETRY = Duration.ofMillis(500);
    /** A probe older than this means the node is not delivering (probes go out every second). */
    private static final long PROBE_FRESH_NANOS = Duration.ofSeconds(3).toNanos();

    private final Keys keys;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, byte[]> pubsub;
    private final Subscriptions subscriptions;
    private final BrokerListener listener;
    private final ScheduledExecutorService timer;
    private final String probeChannel;
    private volatile long lastProbeEcho = System.nanoTime() - PROBE_FRESH_NANOS - 1;
    private final LongAdder reconnects = new LongAdder();
    private final Duration unsubscribeDelay;
    private final String historySize;
    private final String historyTtlMillis;

    public RedisBroker(Keys keys, String nodeId, RedisClient client, StatefulRedisConnection<String, String> commands,
                       StatefulRedisPubSubConnection<String, byte[]> pubsub, BrokerListener listener,
                       ScheduledExecutorService timer, Duration unsubscribeDelay, int historySize,
                       Duration historyTtl) {
        this.keys = keys;
        this.commands = commands;
        this.pubsub = pubsub;
        this.unsubscribeDelay = unsubscribeDelay;
        this.historySize = Integer.toString(historySize);
        this.historyTtlMillis = Long.toString(historyTtl.toMillis());
        this.subscriptions = new Subscriptions(
                channel -> pubsub.async().subscribe(channel).thenApply(ok -> null),
                this::unsubscribeNow, timer);
        this.listener = listener;
        this.timer = timer;
        this.probeChannel = keys.probeChannel(nodeId);
        pubsub.addListener(new Router());
        client.addListener(new LinkWatch());
        subscriptions.acquire(probeChannel); // held for the node's life
    }

    @Override
    public CompletionStage<PublishResult> publish(String room, String messagePrefix, String key) {
        String[] scriptKeys = {keys.meta(room), keys.history(room), keys.dedup(room, key == null ? "" : key)};
        CompletionStage<List<Object>> reply = PUBLISH.run(async(), ScriptOutputType.MULTI, scriptKeys,
                keys.roomChannel(room), messagePrefix, Epochs.fresh(), historySize, historyTtlMillis,
                key == null ? "" : key, Long.toString(DEDUP_WINDOW.toMillis()));
        return reply.thenApply(r -> new PublishResult((String) r.get(0), ((Long) r.get(1)) == 0L));
    }

    @Override
    public CompletionStage<Long> sendToUser(String user, String frame) {
        return async().publish(keys.userChannel(user), frame);
    }

    @Override
    public CompletionStage<Long> disconnectUser(String user) {
        return async().publish(keys.userChannel(user), DISCONNECT);
    }

    @Override
    public CompletionStage<Void> subscribeRoom(String room) {
        return subscriptions.acquire(keys.roomChannel(room));
    }

    @Override
    public void unsubscribeRoom(String room) {
        subscriptions.release(keys.roomChannel(room), unsubscribeDelay);
    }

    @Override
    public CompletionStage<Void> subscribeUser(String user) {
        return subscriptions.acquire(keys.userChannel(user));
    }

    @Override
    public void unsubscribeUser(String user) {
        subscriptions.release(keys.userChannel(user), Duration.ZERO);
    }

    @Override
    public void probe() {
        async().publish(probeChannel, Long.toString(System.currentTimeMillis()));
    }

    /** Channels held now (rooms, users, the probe), including those waiting out the unsubscribe delay. */
    public int subscribedChannels() {
        return subscriptions.size();
    }

    /** Times the pub/sub connection came back after a loss. */
    public long reconnects() {
        return reconnects.sum();
    }

    @Override
    public boolean isDelivering() {
        return commands.isOpen() && pubsub.isOpen() && System.nanoTime() - lastProbeEcho < PROBE_FRESH_NANOS;
    }

    private void unsubscribeNow(String channel) {
        pubsub.async().unsubscribe(channel).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("unsubscribe from {} failed: {}", channel, e.toString());
            }
        });
    }

    /**
     * Lettuce reconnects and resubscribes on its own; subscribing to every held channel once more
     * (queued behind Lettuce's own SUBSCRIBEs on the same connection) tells us when that is done. The
     * command connection reconnects on its own schedule, and the listener's repair reads history and
     * writes presence on it: a PING there must answer too before the link counts as back.
     */
    private void relinked(int attempt) {
        String[] channels = subscriptions.channels();
        CompletionStage<Void> resubscribed = channels.length == 0
                ? CompletableFuture.completedFuture(null)
                : pubsub.async().subscribe(channels).thenApply(ok -> null);
        resubscribed.thenCompose(ok -> async().ping()).whenComplete((ok, e) -> {
            if (e != null) {
                // a connection may not take commands yet at the instant it reports itself connected
                log.warn("resubscribing {} channels or reaching Redis on the command connection after a reconnect "
                        + "failed (attempt {}): {}", channels.length, attempt, e.toString());
                timer.schedule(() -> relinked(attempt + 1), RELINK_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                log.info("pub/sub link restored, {} channels subscribed again", channels.length);
                listener.onLinkUp();
            }
        });
    }

    private RedisAsyncCommands<String, String> async() {
        return commands.async();
    }

    /** Reports the pub/sub connection going down and coming back. */
    private final class LinkWatch implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (connection == pubsub) {
                log.warn("pub/sub link to Redis lost: live delivery paused until it is back");
                listener.onLinkDown();
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (connection == pubsub) {
                reconnects.increment();
                relinked(1);
            }
        }
    }

    /** Routes each pub/sub message to the listener by the shape of its channel name. */
    private final class Router extends RedisPubSubAdapter<String, byte[]> {
        @Override
        public void message(String channel, byte[] message) {
            String room = keys.roomOfChannel(channel);
            if (room != null) {
                listener.onRoomFrame(room, message);
                return;
            }
            String user = keys.userOfChannel(channel);
            if (user != null) {
                listener.onUserFrame(user, message);
            } else if (channel.equals(probeChannel)) {
                lastProbeEcho = System.nanoTime();
            }
        }
    }
}
