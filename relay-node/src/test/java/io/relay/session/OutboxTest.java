package io.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class OutboxTest {
    private final List<Object> handed = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aStalledSocketHoldsAtMostInFlightFramesInUndertowAndTheRestWaitInOrder() {
        Outbox outbox = new Outbox(handed::add); // nothing is ever written
        for (int i = 0; i < 100; i++) {
            outbox.add(frame(i));
        }
        assertThat(handed).hasSize(Outbox.IN_FLIGHT);
        assertThat(outbox.inFlight()).isEqualTo(Outbox.IN_FLIGHT);

        for (int i = 0; i < 10; i++) {
            outbox.written();
        }

        assertThat(handed).hasSize(Outbox.IN_FLIGHT + 10);
        assertThat(numbers()).isEqualTo(range(0, Outbox.IN_FLIGHT + 10));
    }

    @Test
    void framesWrittenAtOnceGoStraightThroughWithoutDeepeningTheStack() {
        Outbox[] self = new Outbox[1];
        self[0] = new Outbox(frame -> {
            handed.add(frame);
            self[0].written(); // Undertow wrote it inline, as it does on the channel's own I/O thread
        });
        for (int i = 0; i < 100_000; i++) {
            self[0].add(frame(i));
        }
        assertThat(numbers()).isEqualTo(range(0, 100_000));
        assertThat(self[0].inFlight()).isZero();
    }

    @Test
    void aCloseWaitsForTheFramesBeforeItAndGoesBeforeTheFramesAfterIt() {
        Outbox outbox = new Outbox(handed::add);
        for (int i = 0; i < 40; i++) {
            outbox.add(frame(i));
        }
        outbox.close(() -> handed.add("close"));
        outbox.add(frame(40));
        assertThat(handed).doesNotContain("close");

        for (int i = 0; i < 8; i++) {
            outbox.written();
        }

        assertThat(handed).hasSize(41).last().isEqualTo("close");
        outbox.written();
        assertThat(handed).hasSize(42);
        assertThat(((ByteBuffer) handed.get(41)).getInt(0)).isEqualTo(40);
    }

    @Test
    void eachThreadsFramesLeaveInTheOrderItAddedThem() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        Outbox[] self = new Outbox[1];
        ExecutorService undertow = Executors.newSingleThreadExecutor(); // writes complete on another thread
        Consumer<ByteBuffer> sink = frame -> {
            handed.add(frame);
            undertow.execute(() -> self[0].written());
        };
        self[0] = new Outbox(sink);
        ExecutorService lanes = Executors.newFixedThreadPool(threads);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            lanes.execute(() -> {
                for (int i = 0; i < perThread; i++) {
                    self[0].add(frame(thread * perThread + i));
                }
                done.countDown();
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        lanes.shutdown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (handed.size() < threads * perThread && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        undertow.shutdown();
        assertThat(undertow.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(handed).hasSize(threads * perThread);
        int[] last = new int[threads];
        java.util.Arrays.fill(last, -1);
        for (int n : numbers()) {
            int thread = n / perThread;
            assertThat(n).as("frame of thread %d after %d", thread, last[thread]).isGreaterThan(last[thread]);
            last[thread] = n;
        }
        assertThat(self[0].inFlight()).isZero();
    }

    private static ByteBuffer frame(int n) {
        return ByteBuffer.allocate(4).putInt(0, n);
    }

    private List<Integer> numbers() {
        synchronized (handed) {
            return handed.stream().map(f -> ((ByteBuffer) f).getInt(0)).toList();
        }
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }
}
