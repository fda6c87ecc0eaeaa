package io.relay.history;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads rooms' message history (appending is part of the broker's atomic publish). Stages complete
 * on a Redis I/O thread and fail when Redis did not answer within the command timeout. A room with
 * no history yet gets an epoch on first read, so even an empty room has a valid offset.
 */
public interface History {
    /** The oldest {@code limit} entries after {@code seq} (exclusive) of the room's current epoch. */
    CompletionStage<HistoryPage> after(String room, long seq, int limit);

    /** The newest {@code limit} entries, oldest first; {@code limit} 0 reads only the position. */
    CompletionStage<HistoryPage> latest(String room, int limit);

    /**
     * What a {@code history} request reads: the newest {@code limit} without {@code since}, else the
     * {@code limit} after it. Paging is within the current epoch: an offset of an older one reads from
     * the start of this one.
     */
    default CompletionStage<HistoryPage> page(String room, Offset since, int limit) {
        if (since == null) {
            return latest(room, limit);
        }
        return after(room, since.seq(), limit).thenCompose(p -> p.top().epoch().equals(since.epoch())
                ? CompletableFuture.completedFuture(p)
                : after(room, 0, limit));
    }
}
