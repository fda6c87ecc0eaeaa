package io.relay.bench;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Publishes on an open-loop schedule: publisher {@code i} of {@code P} sends message {@code k} at
 * {@code start + (i/P + k) / rate} whatever the server does, and stamps it with that intended time,
 * so a stall shows up as latency of every message it delayed instead of hiding behind a slower
 * send rate (coordinated omission). Runs on the calling thread; bounded by {@code capacity}
 * messages per publisher and by the window's end.
 */
public final class PublishLoop {
    /** When publishing started and ended, and how late sends were against their schedule. */
    public record Result(long startNanos, long endNanos, Latency sendLag) {
    }

    private static final long MAX_PARK_NANOS = 50_000_000L;

    private PublishLoop() {
    }

    /**
     * Publishes at {@code rate} messages/s per publisher for {@code seconds} into {@code ledger}'s
     * window; {@code publishers} are indexed by publisher id. Stops early at {@code deadlineNanos}.
     */
    public static Result run(List<BenchClient> publishers, DeliveryLedger ledger, double rate, double seconds,
                             int payload, long deadlineNanos) {
        int n = publishers.size();
        long interval = Math.max(1, Math.round(1e9 / rate));
        int max = Math.min(ledger.capacity(), (int) Math.ceil(rate * seconds));
        long start = System.nanoTime() + 20_000_000L;
        long end = Math.min(start + Math.round(seconds * 1e9), deadlineNanos);
        long[] next = new long[n];
        int[] count = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = start + interval * i / n;
        }
        Histogram lagMicros = new Histogram(3_600_000_000L, 3);
        while (true) {
            long now = System.nanoTime();
            long earliest = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                while (count[i] < max && next[i] <= now && next[i] < end) {
                    send(publishers.get(i), ledger, next[i], count[i], payload);
                    lagMicros.recordValue(Math.min((now - next[i]) / 1000, 3_600_000_000L));
                    count[i]++;
                    next[i] += interval;
                }
                if (count[i] < max && next[i] < end) {
                    earliest = Math.min(earliest, next[i]);
                }
            }
            if (earliest == Long.MAX_VALUE) {
                break;
            }
            long wait = earliest - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
            }
        }
        return new Result(start, System.nanoTime(), Latency.of(lagMicros));
    }

    private static void send(BenchClient publisher, DeliveryLedger ledger, long intended, int k, int payload) {
        Topology.Spec spec = publisher.spec();
        long seq = ledger.base() + k;
        ledger.sent(spec.id(), seq);
        if (!publisher.acksPublishes()) {
            ledger.acked(spec.id(), seq); // nothing will ack it: sent is all a protocol without acks tells
        }
        publisher.publish(seq, intended, payload);
    }
}
