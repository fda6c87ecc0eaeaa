package io.relay.broker;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reference counts of subscribed channels, with delayed unsubscribing. All state is guarded by this
 * object's lock; SUBSCRIBE and UNSUBSCRIBE are only issued (asynchronously) under it, so the two can
 * never be reordered for one channel. Not on the message path: only joins and leaves come here.
 */
final class Subscriptions {
    private final Map<String, Entry> channels = new HashMap<>();
    private final Function<String, CompletionStage<Void>> subscribe;
    private final Consumer<String> unsubscribe;
    private final ScheduledExecutorService timer;

    private static final class Entry {
        int references;
        CompletableFuture<Void> subscribed;
        ScheduledFuture<?> pendingUnsubscribe;
    }

    Subscriptions(Function<String, CompletionStage<Void>> subscribe, Consumer<String> unsubscribe,
                  ScheduledExecutorService timer) {
        this.subscribe = subscribe;
        this.unsubscribe = unsubscribe;
        this.timer = timer;
    }

    /** Takes a reference; completes when the channel is confirmed subscribed. */
    synchronized CompletionStage<Void> acquire(String channel) {
        Entry entry = channels.computeIfAbsent(channel, c -> new Entry());
        entry.references++;
        if (entry.pendingUnsubscribe != null) {
            entry.pendingUnsubscribe.cancel(false);
            entry.pendingUnsubscribe = null;
        }
        if (entry.subscribed == null || entry.subscribed.isCompletedExceptionally()) {
            entry.subscribed = subscribe.apply(channel).toCompletableFuture();
        }
        return entry.subscribed;
    }

    /** Drops a reference; the last one unsubscribes after {@code delay}. */
    synchronized void release(String channel, Duration delay) {
        Entry entry = channels.get(channel);
        if (entry == null || entry.references == 0) {
            return;
        }
        if (--entry.references > 0) {
            return;
        }
        if (delay.isZero()) {
            drop(channel);
        } else {
            entry.pendingUnsubscribe = timer.schedule(() -> expire(channel, entry), delay.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** The channels this node holds (subscribed or about to be unsubscribed), a snapshot. */
    synchronized String[] channels() {
        return channels.keySet().toArray(String[]::new);
    }

    /** Number of channels this node holds (subscribed or about to be unsubscribed). */
    synchronized int size() {
        return channels.size();
    }

    private synchronized void expire(String channel, Entry entry) {
        if (entry.references == 0 && channels.get(channel) == entry) {
            drop(channel);
        }
    }

    private void drop(String channel) {
        channels.remove(channel);
        unsubscribe.accept(channel);
    }
}
