package io.relay.presence;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.relay.redis.Keys;
import io.relay.redis.LuaScript;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node liveness without a coordinator. Each node keeps its own key alive with a TTL and lists itself
 * in the node set; every node, on every beat, looks for listed nodes whose key has expired and
 * sweeps each of them: its presence entries go, its users' rooms get the leave events they would
 * have seen. A lock key makes that one sweep per dead node however many survivors notice.
 * Runs on the node's timer thread; Redis stages complete on a Redis I/O thread.
 */
public final class NodeLiveness {
    private static final Logger log = LoggerFactory.getLogger(NodeLiveness.class);
    private static final LuaScript SWEEP = LuaScript.load("sweep_room");
    /** How long a swept node's return is remembered as needing join announcements. */
    private static final Duration SWEPT_MARK_TTL = Duration.ofHours(1);

    private final Keys keys;
    private final StatefulRedisConnection<String, String> commands;
    private final String nodeId;
    private final Duration ttl;
    private final String description;
    private final AtomicLong sweeps = new AtomicLong();
    private volatile boolean retired;

    public NodeLiveness(Keys keys, StatefulRedisConnection<String, String> commands, String nodeId, Duration ttl,
                        String description) {
        this.keys = keys;
        this.commands = commands;
        this.nodeId = nodeId;
        this.ttl = ttl;
        this.description = description;
    }

    /** Dead nodes (other than this one's earlier runs) this node has swept. */
    public long sweeps() {
        return sweeps.get();
    }

    /** How often {@link #beat()} should run: a third of the TTL, so one lost beat does not kill the node. */
    public Duration interval() {
        return ttl.dividedBy(3);
    }

    /** Refreshes this node's key. Failures are logged and retried next beat. */
    public void beat() {
        if (retired) {
            return;
        }
        RedisAsyncCommands<String, String> redis = commands.async();
        redis.set(keys.node(nodeId), description, SetArgs.Builder.px(ttl.toMillis()));
        redis.sadd(keys.nodes(), nodeId).whenComplete((ok, e) -> {
            if (e != null) {
                log.debug("liveness beat failed: {}", e.toString());
            }
        });
    }

    /**
     * Looks for listed nodes whose key has expired and sweeps them. Run often (every second): a dead
     * node is noticed soon after its key expires, at the cost of one SMEMBERS and one MGET.
     */
    public void sweepDead() {
        commands.async().smembers(keys.nodes())
                .thenCompose(this::sweepDead)
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        log.debug("looking for dead nodes failed: {}", e.toString());
                    }
                });
    }

    /**
     * Sweeps what an earlier run of a node with this id left behind (a crash and a quick restart
     * would otherwise mix its old counts with the new ones). Called once at start, before serving.
     */
    public CompletionStage<Void> sweepLeftoversOfSelf() {
        return sweepIfUnclaimed(nodeId);
    }

    /**
     * A clean stop (after a drain): this node stops beating and takes its own registration away, so
     * no other node sweeps it later; any presence the drain did not remove is swept with leave events.
     */
    public CompletionStage<Void> retire() {
        retired = true;
        return sweep(nodeId)
                .thenCompose(done -> commands.async().del(keys.node(nodeId), keys.nodeSweep(nodeId)))
                .thenApply(n -> (Void) null);
    }

    /** One MGET for the keys of all other listed nodes, however many: a missing key is a dead node. */
    private CompletionStage<Void> sweepDead(Set<String> listed) {
        List<String> others = listed.stream().filter(id -> !id.equals(nodeId)).toList();
        if (others.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return commands.async().mget(others.stream().map(keys::node).toArray(String[]::new)).thenCompose(alive -> {
            CompletableFuture<?>[] sweeps = IntStream.range(0, others.size())
                    .filter(i -> !alive.get(i).hasValue())
                    .mapToObj(i -> sweepIfUnclaimed(others.get(i)).toCompletableFuture())
                    .toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(sweeps);
        });
    }

    private CompletionStage<Void> sweepIfUnclaimed(String dead) {
        SetArgs claim = SetArgs.Builder.nx().px(ttl.toMillis());
        return commands.async().set(keys.nodeSweep(dead), nodeId, claim).thenCompose(ok ->
                "OK".equals(ok) ? sweep(dead) : CompletableFuture.<Void>completedFuture(null));
    }

    private CompletionStage<Void> sweep(String dead) {
        RedisAsyncCommands<String, String> redis = commands.async();
        return redis.smembers(keys.nodeRooms(dead)).thenCompose(rooms -> {
            long now = System.currentTimeMillis();
            List<CompletableFuture<Long>> left = rooms.stream()
                    .map(room -> SWEEP.<Long>run(redis, ScriptOutputType.INTEGER,
                            new String[] {keys.presence(room), keys.roster(room)},
                            dead, Long.toString(now), keys.roomChannel(room), room,
                            Long.toString(RedisPresence.ROSTER_TTL.toMillis())).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(left.toArray(CompletableFuture[]::new)).thenCompose(done -> {
                long users = left.stream().mapToLong(CompletableFuture::join).sum();
                if (!dead.equals(nodeId)) {
                    sweeps.incrementAndGet();
                }
                if (!dead.equals(nodeId) || users > 0) {
                    log.warn("swept node {}: {} users left {} rooms", dead, users, rooms.size());
                }
                redis.del(keys.nodeRooms(dead));
                if (!dead.equals(nodeId) && users > 0) {
                    redis.set(keys.nodeSwept(dead), nodeId, SetArgs.Builder.px(SWEPT_MARK_TTL.toMillis()));
                }
                return redis.srem(keys.nodes(), dead).thenApply(n -> (Void) null);
            });
        });
    }
}
