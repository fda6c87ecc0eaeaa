package io.relay.hub;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of single-threaded executors, each with a bounded count of waiting tasks. Work for one
 * key (a room, a user) always runs on the same lane, so it runs in order and needs no locks. A full
 * lane refuses work: the refusal is counted and logged, never blocked on.
 *
 * <p>A node runs its lanes on the XNIO I/O threads ({@link #over}): a lane's work never blocks, and a
 * room's fan-out then writes to the clients of its own I/O thread without waking another thread,
 * where a lane of its own costs one more thread wake-up per message. {@link #threads} makes lanes
 * with their own threads (tests, benchmarks).
 */
public final class Lanes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lanes.class);

    private final Lane[] lanes;
    private final Runnable onClose;
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean closed;

    private Lanes(Executor[] executors, int capacity, Runnable onClose) {
        lanes = new Lane[executors.length];
        for (int i = 0; i < executors.length; i++) {
            lanes[i] = new Lane(i, executors[i], capacity);
        }
        this.onClose = onClose;
    }

    /** Lanes on the given single-threaded executors (a node's I/O threads), at most {@code capacity} tasks waiting on each. */
    public static Lanes over(Executor[] executors, int capacity) {
        return new Lanes(executors.clone(), capacity, () -> { });
    }

    /** {@code count} lanes with a daemon thread each, named {@code name-i}; closing the lanes stops the threads. */
    public static Lanes threads(int count, int capacity, String name) {
        ExecutorService[] executors = new ExecutorService[count];
        for (int i = 0; i < count; i++) {
            String threadName = name + "-" + i;
            // the lane's own count bounds the queue; this one is only as large
            executors[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(capacity + 1), r -> daemon(r, threadName));
        }
        return new Lanes(executors, capacity, () -> {
            for (ExecutorService executor : executors) {
                executor.shutdown();
            }
        });
    }

    /** The lane of {@code key}. */
    public Executor lane(String key) {
        return lanes[Math.floorMod(key.hashCode(), lanes.length)];
    }

    /** Runs {@code task} once on every lane, after the work already queued there; it is told its lane. */
    public void onEachLane(Consumer<Executor> task) {
        for (Lane lane : lanes) {
            lane.execute(() -> task.accept(lane));
        }
    }

    /** Tasks refused because a lane was full. */
    public long rejected() {
        return rejected.get();
    }

    /** Refuses new work from now on (silently: the node is stopping) and stops the lanes' own threads. */
    @Override
    public void close() {
        closed = true;
        onClose.run();
    }

    private void refuse(int lane, String why) {
        if (closed) {
            return; // the node is stopping: nothing is delivered any more
        }
        long n = rejected.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th...: visible without flooding the log
            log.error("lane {} {}: work dropped ({} so far)", lane, why, n);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** One lane: its executor and the count of its tasks not yet started. */
    private final class Lane implements Executor {
        private final int index;
        private final Executor executor;
        private final int capacity;
        private final AtomicInteger waiting = new AtomicInteger();

        Lane(int index, Executor executor, int capacity) {
            this.index = index;
            this.executor = executor;
            this.capacity = capacity;
        }

        @Override
        public void execute(Runnable task) {
            if (closed) {
                return; // the node is stopping: nothing is delivered any more
            }
            if (waiting.incrementAndGet() > capacity) {
                waiting.decrementAndGet();
                refuse(index, "is full");
                return;
            }
            try {
                executor.execute(() -> run(task));
            } catch (RejectedExecutionException e) { // its thread is gone
                waiting.decrementAndGet();
                refuse(index, "has no thread any more");
            }
        }

        private void run(Runnable task) {
            waiting.decrementAndGet();
            try {
                task.run();
            } catch (RuntimeException e) { // one bad task must not take the lane's thread (an I/O thread) with it
                log.error("task on lane {} failed", index, e);
            }
        }
    }
}
