package io.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriptionsTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Subscriptions subscriptions = new Subscriptions(
            c -> {
                calls.add("+" + c);
                return CompletableFuture.completedFuture(null);
            },
            c -> calls.add("-" + c), timer);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void subscribesOnceForManyReferences() {
        subscriptions.acquire("a");
        subscriptions.acquire("a");
        subscriptions.release("a", Duration.ZERO);
        assertThat(calls).containsExactly("+a");
        subscriptions.release("a", Duration.ZERO);
        assertThat(calls).containsExactly("+a", "-a");
        assertThat(subscriptions.size()).isZero();
    }

    @Test
    void aReferenceRetakenWithinTheDelayKeepsTheSubscription() throws Exception {
        subscriptions.acquire("a");
        subscriptions.release("a", Duration.ofMillis(200));
        subscriptions.acquire("a");
        awaitQuiet(Duration.ofMillis(400));
        assertThat(calls).containsExactly("+a");
    }

    @Test
    void theLastReleaseUnsubscribesAfterTheDelay() throws Exception {
        subscriptions.acquire("a");
        subscriptions.release("a", Duration.ofMillis(100));
        assertThat(calls).containsExactly("+a");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!calls.contains("-a") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(calls).containsExactly("+a", "-a");
    }

    @Test
    void aFailedSubscribeIsRetriedByTheNextJoin() {
        List<String> attempts = new CopyOnWriteArrayList<>();
        Subscriptions failing = new Subscriptions(c -> {
            attempts.add(c);
            return attempts.size() == 1 ? CompletableFuture.failedFuture(new IllegalStateException("down"))
                    : CompletableFuture.completedFuture(null);
        }, c -> { }, timer);
        assertThat(failing.acquire("a").toCompletableFuture().isCompletedExceptionally()).isTrue();
        assertThat(failing.acquire("a").toCompletableFuture().isCompletedExceptionally()).isFalse();
        assertThat(attempts).hasSize(2);
    }

    /** Waits until the timer has run everything due within {@code d}. */
    private void awaitQuiet(Duration d) throws Exception {
        timer.schedule(() -> { }, d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).get();
    }
}
