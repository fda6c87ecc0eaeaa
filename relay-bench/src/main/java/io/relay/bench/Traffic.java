package io.relay.bench;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where every connection reports what it receives: deliveries and acks go to the current
 * {@link DeliveryLedger} (none between windows: those are dropped), errors and unexpected
 * disconnects are counted and the first one is kept. Thread-safe.
 */
public final class Traffic {
    private volatile DeliveryLedger ledger;
    private final LongAdder errors = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    /** Counts deliveries and acks into {@code ledger} from now on (null: nowhere). */
    public void measureInto(DeliveryLedger ledger) {
        this.ledger = ledger;
    }

    /** Subscriber {@code subscriber} received publisher {@code publisher}'s {@code seq}, stamped {@code t}, at {@code now}. */
    public void delivered(int subscriber, long t, long publisher, long seq, long now) {
        DeliveryLedger l = ledger;
        if (l != null && publisher >= 0 && publisher <= Integer.MAX_VALUE) {
            l.delivered(subscriber, (int) publisher, seq, now - t, now);
        }
    }

    public void acked(int publisher, long seq) {
        DeliveryLedger l = ledger;
        if (l != null) {
            l.acked(publisher, seq);
        }
    }

    public void error(String text) {
        errors.increment();
        firstError.compareAndSet(null, text);
    }

    public void disconnected(String text) {
        disconnects.increment();
        error(text);
    }

    public long errors() {
        return errors.sum();
    }

    public long disconnects() {
        return disconnects.sum();
    }

    public String firstError() {
        return firstError.get();
    }
}
