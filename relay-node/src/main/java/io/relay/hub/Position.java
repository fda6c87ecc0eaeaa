package io.relay.hub;

/**
 * Where a room's delivered stream stands: an opaque epoch tag and a sequence number, or
 * {@link #UNKNOWN}. The hub only compares them; what they mean is history's business.
 */
public record Position(String epoch, long seq) {
    public static final Position UNKNOWN = new Position(null, -1);

    /** Frames outside history (presence events) carry no position. */
    public static final Position NONE = UNKNOWN;

    /** The later of this and {@code other}; a new epoch always wins. */
    Position advancedTo(Position other) {
        if (other.seq < 0) {
            return this;
        }
        if (epoch == null || !epoch.equals(other.epoch) || other.seq > seq) {
            return other;
        }
        return this;
    }

    public boolean isKnown() {
        return seq >= 0;
    }
}
