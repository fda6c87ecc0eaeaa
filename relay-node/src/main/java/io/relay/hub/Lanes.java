package io.relay.hub;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of single-threaded executors with bounded queues. Work for one key (a room, a user)
 * always runs on the same lane, so it runs in order and needs no locks. A full lane refuses work:
 * the refusal is counted and logged, never blocked on.
 */
public final class Lanes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lanes.class);

    private final ThreadPoolExecutor[] lanes;
    private final AtomicLong rejected = new AtomicLong();

    public Lanes(int count, int queueCapacity, String name) {
        lanes = new ThreadPoolExecutor[count];
        for (int i = 0; i < count; i++) {
            String threadName = name + "-" + i;
            lanes[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(queueCapacity), r -> daemon(r, threadName),
                    (task, executor) -> reject(threadName, executor.isShutdown()));
        }
    }

    /** The lane of {@code key}. */
    public Executor lane(String key) {
        return lanes[Math.floorMod(key.hashCode(), lanes.length)];
    }

    /** Runs {@code task} once on every lane, after the work already queued there; it is told its lane. */
    public void onEachLane(java.util.function.Consumer<Executor> task) {
        for (ThreadPoolExecutor lane : lanes) {
            lane.execute(() -> task.accept(lane));
        }
    }

    /** Tasks refused because a lane's queue was full. */
    public long rejected() {
        return rejected.get();
    }

    @Override
    public void close() {
        for (ThreadPoolExecutor lane : lanes) {
            lane.shutdown();
        }
    }

    private void reject(String lane, boolean stopped) {
        if (stopped) {
            return; // the node is stopping: nothing is delivered any more
        }
        long n = rejected.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th...: visible without flooding the log
            log.error("lane {} is full: work dropped ({} so far)", lane, n);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
