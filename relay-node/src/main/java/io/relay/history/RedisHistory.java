package io.relay.history;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.relay.model.FrameCodec;
import io.relay.redis.Epochs;
import io.relay.redis.Keys;
import io.relay.redis.LuaScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** {@link History} on the room's stream and meta hash, read by one script for a consistent view. */
public final class RedisHistory implements History {
    private static final LuaScript READ = LuaScript.load("history", "room_position");

    private final Keys keys;
    private final StatefulRedisConnection<String, String> commands;
    private final String ttlMillis;

    public RedisHistory(Keys keys, StatefulRedisConnection<String, String> commands, Duration historyTtl) {
        this.keys = keys;
        this.commands = commands;
        this.ttlMillis = Long.toString(historyTtl.toMillis());
    }

    @Override
    public CompletionStage<HistoryPage> after(String room, long seq, int limit) {
        return read(room, "after", seq, limit);
    }

    @Override
    public CompletionStage<HistoryPage> latest(String room, int limit) {
        return read(room, "latest", 0, limit);
    }

    private CompletionStage<HistoryPage> read(String room, String mode, long seq, int limit) {
        String[] scriptKeys = {keys.meta(room), keys.history(room)};
        CompletionStage<List<Object>> reply = READ.run(commands.async(), ScriptOutputType.MULTI, scriptKeys,
                mode, Long.toString(seq), Integer.toString(limit), Epochs.fresh(), ttlMillis);
        return reply.thenApply(RedisHistory::page);
    }

    private static HistoryPage page(List<Object> reply) {
        String epoch = (String) reply.get(0);
        Offset top = new Offset(epoch, (Long) reply.get(1));
        List<HistoryPage.Entry> entries = new ArrayList<>((reply.size() - 3) / 2);
        for (int i = 3; i + 1 < reply.size(); i += 2) {
            long seq = (Long) reply.get(i);
            String prefix = (String) reply.get(i + 1);
            entries.add(new HistoryPage.Entry(seq, FrameCodec.completeMessage(prefix, epoch + ":" + seq)));
        }
        return new HistoryPage(top, (Long) reply.get(2), entries);
    }
}
