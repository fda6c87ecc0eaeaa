package io.relay.bench;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The accounting of one measurement window: what each publisher sent and got acked, and what each
 * subscriber received. Publisher {@code p} sends sequence numbers {@code base .. base+capacity-1}
 * in this window; anything outside that range belongs to another window and is only counted as
 * stale. Every acked message is expected once at each of its room's subscribers (the publisher's
 * own copy is not counted); loss is expected minus the distinct (subscriber, publisher, seq)
 * deliveries of acked messages, and a delivery of a triple already seen is a duplicate.
 * <p>
 * Thread-safe: sends come from the publishing thread, acks and deliveries from the event loops.
 * Each subscriber's and each publisher's bits are guarded by their own lock, which only one event
 * loop ever takes while the window runs, so the locks are uncontended.
 */
public final class DeliveryLedger {
    /** What a delivery was. */
    public enum Outcome { NEW, DUPLICATE, STALE, FOREIGN }

    /** The window's totals; {@code delivered} counts distinct deliveries, acked or not. */
    public record Tally(long sent, long acked, long expected, long delivered, long loss, long duplicates,
                        long stale, long unackedDelivered) {
    }

    private final Topology topology;
    private final long base;
    private final int capacity;
    private final AtomicLongArray sent;
    private final BitSet[] acked;
    private final BitSet[][] seen;
    private final LongAdder ackedCount = new LongAdder();
    private final LongAdder distinct = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final AtomicLong lastDelivery = new AtomicLong();
    private final Recorder latencyMicros = new Recorder(3_600_000_000L, 3);

    public DeliveryLedger(Topology topology, long base, int capacity) {
        this.topology = topology;
        this.base = base;
        this.capacity = capacity;
        this.sent = new AtomicLongArray(topology.publishers());
        this.acked = new BitSet[topology.publishers()];
        for (int p = 0; p < acked.length; p++) {
            acked[p] = new BitSet();
        }
        this.seen = new BitSet[topology.subscribers()][];
        for (int s = 0; s < seen.length; s++) {
            seen[s] = new BitSet[topology.publishersPerRoom()];
        }
    }

    /** The first sequence number of this window. */
    public long base() {
        return base;
    }

    /** The most messages one publisher may send in this window. */
    public int capacity() {
        return capacity;
    }

    /** Publisher {@code p} sent {@code seq}. Called by the one publishing thread. */
    public void sent(int p, long seq) {
        sent.incrementAndGet(p);
    }

    /** Publisher {@code p}'s message {@code seq} was acked; false when it is not of this window. */
    public boolean acked(int p, long seq) {
        int slot = slot(seq);
        if (slot < 0) {
            stale.increment();
            return false;
        }
        BitSet bits = acked[p];
        synchronized (bits) {
            if (bits.get(slot)) {
                return true;
            }
            bits.set(slot);
        }
        ackedCount.increment();
        return true;
    }

    /**
     * Subscriber {@code s} received publisher {@code p}'s message {@code seq}, {@code latencyNanos}
     * after its intended send time, at {@code now} ({@link System#nanoTime()}).
     */
    public Outcome delivered(int s, int p, long seq, long latencyNanos, long now) {
        if (p < 0 || p >= acked.length || topology.roomOfPublisher(p) != topology.roomOfSubscriber(s)) {
            return Outcome.FOREIGN;
        }
        int slot = slot(seq);
        if (slot < 0) {
            stale.increment();
            return Outcome.STALE;
        }
        BitSet[] row = seen[s];
        int k = p % topology.publishersPerRoom();
        synchronized (row) {
            BitSet bits = row[k];
            if (bits == null) {
                bits = row[k] = new BitSet();
            }
            if (bits.get(slot)) {
                duplicates.increment();
                return Outcome.DUPLICATE;
            }
            bits.set(slot);
        }
        distinct.increment();
        latencyMicros.recordValue(Math.min(Math.max(0, latencyNanos / 1000), 3_600_000_000L));
        lastDelivery.accumulateAndGet(now, Math::max);
        return Outcome.NEW;
    }

    /** True once every message sent was acked and every acked one reached every subscriber. */
    public boolean complete() {
        long totalSent = 0;
        for (int p = 0; p < sent.length(); p++) {
            totalSent += sent.get(p);
        }
        long acks = ackedCount.sum();
        return acks >= totalSent && distinct.sum() >= acks * topology.members();
    }

    /** {@link System#nanoTime()} of the last new delivery, or 0. */
    public long lastDelivery() {
        return lastDelivery.get();
    }

    /** The latencies recorded since the last call, in microseconds. */
    public Histogram latencies() {
        return latencyMicros.getIntervalHistogram();
    }

    /** The totals, exact for everything that arrived before the call. */
    public Tally tally() {
        long sentTotal = 0;
        long ackedTotal = 0;
        for (int p = 0; p < acked.length; p++) {
            sentTotal += sent.get(p);
            synchronized (acked[p]) {
                ackedTotal += acked[p].cardinality();
            }
        }
        long distinctTotal = 0;
        long distinctAcked = 0;
        for (int s = 0; s < seen.length; s++) {
            int firstPublisher = topology.roomOfSubscriber(s) * topology.publishersPerRoom();
            BitSet[] row = seen[s];
            synchronized (row) {
                for (int k = 0; k < row.length; k++) {
                    if (row[k] != null) {
                        distinctTotal += row[k].cardinality();
                        distinctAcked += ackedOf(row[k], firstPublisher + k);
                    }
                }
            }
        }
        long expected = ackedTotal * topology.members();
        return new Tally(sentTotal, ackedTotal, expected, distinctTotal, expected - distinctAcked,
                duplicates.sum(), stale.sum(), distinctTotal - distinctAcked);
    }

    private int ackedOf(BitSet received, int p) {
        BitSet both = (BitSet) received.clone();
        synchronized (acked[p]) {
            both.and(acked[p]);
        }
        return both.cardinality();
    }

    private int slot(long seq) {
        long slot = seq - base;
        return slot >= 0 && slot < capacity ? (int) slot : -1;
    }
}
