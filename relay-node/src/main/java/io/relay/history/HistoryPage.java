package io.relay.history;

import java.util.List;

/**
 * One consistent read of a room's history: its current position, the first sequence number still
 * retained (0 when the history is empty), and the entries read, oldest first.
 */
public record HistoryPage(Offset top, long firstRetained, List<Entry> entries) {
    /** A stored message: its sequence number and complete {@code message} frame. */
    public record Entry(long seq, String frame) {
    }

    public HistoryPage {
        entries = List.copyOf(entries);
    }

    /** The room's position alone, read without its entries: nothing retained is known, so nothing recovers from it. */
    public static HistoryPage positionOnly(Offset top) {
        return new HistoryPage(top, 0, List.of());
    }

    /**
     * True when everything after {@code since} is still in history and fits in {@code maxReplay}
     * messages: same epoch, not from the future, not trimmed away. Never a partial recovery.
     */
    public boolean canRecoverFrom(Offset since, int maxReplay) {
        if (!since.epoch().equals(top.epoch()) || since.seq() > top.seq()) {
            return false;
        }
        long missed = top.seq() - since.seq();
        if (missed == 0) {
            return true;
        }
        return missed <= maxReplay && firstRetained > 0 && firstRetained <= since.seq() + 1;
    }
}
