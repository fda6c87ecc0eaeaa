package io.relay.history;

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
}
