package io.relay.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.relay.model.Member;
import io.relay.redis.Epochs;
import io.relay.redis.Keys;
import io.relay.redis.LuaScript;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link Presence} in two hashes per room (DESIGN.md): presence (user → name, connections per node)
 * and roster (user → join/leave record), changed together by one script.
 */
public final class RedisPresence implements Presence {
    /** Rosters outlive their rooms' activity by this much, refreshed on every arrival and leave. */
    static final Duration ROSTER_TTL = Duration.ofDays(30);
    private static final LuaScript JOIN = LuaScript.load("presence_join", "room_position");
    private static final LuaScript LEAVE = LuaScript.load("presence_leave");
    private static final LuaScript ASSERT = LuaScript.load("presence_assert");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Keys keys;
    private final StatefulRedisConnection<String, String> commands;
    private final String nodeId;
    private final String rosterTtlMillis = Long.toString(ROSTER_TTL.toMillis());
    private final String historyTtlMillis;
    private final LocalPresence held = new LocalPresence();

    /** {@code historyTtl}: given to a room's meta hash when a join is the first to give the room an epoch. */
    public RedisPresence(Keys keys, StatefulRedisConnection<String, String> commands, String nodeId,
                         Duration historyTtl) {
        this.keys = keys;
        this.commands = commands;
        this.nodeId = nodeId;
        this.historyTtlMillis = Long.toString(historyTtl.toMillis());
    }

    @Override
    public CompletionStage<Arrival> join(String room, Member user, String joinEvent, long now) {
        String[] scriptKeys = {keys.presence(room), keys.roster(room), keys.nodeRooms(nodeId), keys.meta(room),
                keys.history(room)};
        List<CompletionStage<List<Object>>> reply = new ArrayList<>(1);
        held.add(room, user, () -> reply.add(JOIN.run(commands.async(), ScriptOutputType.MULTI, scriptKeys,
                user.id(), user.name() == null ? "" : user.name(), nodeId, Long.toString(now),
                keys.roomChannel(room), joinEvent, rosterTtlMillis, room, Epochs.fresh(), historyTtlMillis)));
        // the reply: {first connection?, epoch, top seq, user1, name1, user2, name2, ...}
        return reply.get(0).thenApply(r -> new Arrival(members(r, 3), (String) r.get(1), (Long) r.get(2)));
    }

    @Override
    public CompletionStage<Boolean> leave(String room, String user, String leaveEvent, long now) {
        List<CompletionStage<Long>> reply = new ArrayList<>(1);
        held.remove(room, user, nobodyLeft -> reply.add(LEAVE.run(commands.async(), ScriptOutputType.INTEGER,
                roomKeys(room), user, nodeId, Long.toString(now), keys.roomChannel(room), leaveEvent,
                rosterTtlMillis, room, nobodyLeft ? "1" : "0")));
        return reply.get(0).thenApply(left -> left == 1L);
    }

    @Override
    public CompletionStage<List<Member>> members(String room) {
        return commands.async().hgetall(keys.presence(room)).thenApply(RedisPresence::members);
    }

    @Override
    public CompletionStage<Void> reassert() {
        Map<String, Map<String, LocalPresence.Held>> snapshot = held.snapshot();
        // announce arrivals only when a sweep announced these users gone; after a Redis restart nobody
        // saw them leave, so nobody should see them come back
        CompletionStage<Boolean> swept = commands.async().getdel(keys.nodeSwept(nodeId)).thenApply(m -> m != null);
        return swept.thenCombine(commands.async().smembers(keys.nodeRooms(nodeId)), (announce, recorded) -> {
            Set<String> rooms = new LinkedHashSet<>(snapshot.keySet());
            rooms.addAll(recorded);
            return rooms.stream()
                    .map(room -> assertRoom(room, snapshot.getOrDefault(room, Map.of()), announce).toCompletableFuture())
                    .toArray(CompletableFuture[]::new);
        }).thenCompose(CompletableFuture::allOf);
    }

    private CompletionStage<List<Object>> assertRoom(String room, Map<String, LocalPresence.Held> users,
                                                     boolean announce) {
        List<String> args = new ArrayList<>(List.of(nodeId, Long.toString(System.currentTimeMillis()),
                keys.roomChannel(room), room, rosterTtlMillis, announce ? "1" : "0"));
        users.forEach((user, h) -> {
            args.add(user);
            args.add(h.member().name() == null ? "" : h.member().name());
            args.add(Integer.toString(h.connections()));
        });
        return ASSERT.run(commands.async(), ScriptOutputType.MULTI, roomKeys(room), args.toArray(String[]::new));
    }

    private String[] roomKeys(String room) {
        return new String[] {keys.presence(room), keys.roster(room), keys.nodeRooms(nodeId)};
    }

    /** Members from a script's reply: user1, name1, user2, name2, ... from index {@code from} on. */
    private static List<Member> members(List<Object> reply, int from) {
        List<Member> members = new ArrayList<>(reply.size() / 2);
        for (int i = from; i + 1 < reply.size(); i += 2) {
            String name = (String) reply.get(i + 1);
            members.add(new Member((String) reply.get(i), name.isEmpty() ? null : name));
        }
        return members;
    }

    private static List<Member> members(Map<String, String> hash) {
        List<Member> members = new ArrayList<>(hash.size());
        hash.forEach((user, value) -> members.add(new Member(user, nameOf(value))));
        return members;
    }

    private static String nameOf(String presenceValue) {
        try {
            JsonNode name = JSON.readTree(presenceValue).get("name");
            return name != null && name.isTextual() ? name.textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
