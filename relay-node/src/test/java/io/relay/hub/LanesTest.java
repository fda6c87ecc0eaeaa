package io.relay.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LanesTest {
    /** A single-threaded executor run by hand, like an I/O thread that has not got round to its tasks yet. */
    private static final class ManualThread implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run();
            }
        }
    }

    @Test
    void aFullLaneRefusesAndCountsInsteadOfQueueingMore() {
        ManualThread thread = new ManualThread();
        Lanes lanes = Lanes.over(new Executor[] {thread}, 2);
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            lanes.lane("room").execute(() -> ran.add(n));
        }
        thread.runAll();

        assertThat(ran).containsExactly(0, 1);
        assertThat(lanes.rejected()).isEqualTo(3);

        lanes.lane("room").execute(() -> ran.add(9)); // room again once the waiting tasks ran
        thread.runAll();
        assertThat(ran).containsExactly(0, 1, 9);
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheLane() {
        ManualThread thread = new ManualThread();
        Lanes lanes = Lanes.over(new Executor[] {thread}, 10);
        List<String> ran = new ArrayList<>();
        lanes.lane("room").execute(() -> {
            throw new IllegalStateException("a bug in one task");
        });
        lanes.lane("room").execute(() -> ran.add("next"));
        thread.runAll();

        assertThat(ran).containsExactly("next");
    }

    @Test
    void aKeyAlwaysGetsTheSameLaneAndEveryLaneRunsOnEachLane() throws InterruptedException {
        Lanes lanes = Lanes.threads(3, 100, "test-lane");
        try {
            assertThat(lanes.lane("room-a")).isSameAs(lanes.lane("room-a"));
            CountDownLatch each = new CountDownLatch(3);
            List<Executor> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            lanes.onEachLane(lane -> {
                seen.add(lane);
                each.countDown();
            });
            assertThat(each.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).doesNotHaveDuplicates().hasSize(3);
        } finally {
            lanes.close();
        }
    }

    @Test
    void afterCloseWorkIsRefusedWithoutCountingItAsDropped() {
        ManualThread thread = new ManualThread();
        Lanes lanes = Lanes.over(new Executor[] {thread}, 10);
        lanes.close();
        List<String> ran = new ArrayList<>();
        lanes.lane("room").execute(() -> ran.add("late"));
        thread.runAll();

        assertThat(ran).isEmpty();
        assertThat(lanes.rejected()).isZero();
    }

    @Test
    void anExecutorThatIsGoneCountsAsAStoppedLane() {
        Lanes lanes = Lanes.over(new Executor[] {task -> {
            throw new java.util.concurrent.RejectedExecutionException("thread exiting");
        }}, 10);
        lanes.lane("room").execute(() -> { });

        assertThat(lanes.rejected()).isEqualTo(1); // not closed by us: counted and logged, not thrown
    }
}
