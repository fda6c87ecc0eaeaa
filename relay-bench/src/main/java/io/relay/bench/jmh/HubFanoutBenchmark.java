package io.relay.bench.jmh;

import io.relay.hub.Hub;
import io.relay.hub.Lanes;
import io.relay.hub.Position;
import io.relay.hub.Subscriber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hub's fan-out: one frame handed to a room of {@value #SUBSCRIBERS} local subscribers. Each
 * invocation delivers {@value #FRAMES} frames and waits until the room's lane has handed all of
 * them out, so the score is the cost per delivery (one subscriber receiving one frame), lane
 * hand-off included. Subscribers only keep the last view they got, as a session's queue would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HubFanoutBenchmark {
    static final int SUBSCRIBERS = 1000;
    static final int FRAMES = 100;
    private static final String ROOM = "bench-room";

    private Lanes lanes;
    private Hub hub;
    private byte[] frame;
    private long seq;
    private Counting[] subscribers;

    /** A subscriber that counts what it gets and keeps the last frame (so the view is really made). */
    static final class Counting implements Subscriber {
        long frames;
        ByteBuffer last;

        @Override
        public void deliver(ByteBuffer f) {
            frames++;
            last = f;
        }

        @Override
        public void overflowed() {
            throw new IllegalStateException("overflowed");
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        lanes = Lanes.threads(1, 4 * FRAMES, "bench-lane");
        hub = new Hub(lanes, 1000);
        frame = ("{\"type\":\"message\",\"room\":\"bench-room\",\"from\":{\"id\":\"u1\"},\"data\":{\"text\":\""
                + "x".repeat(100) + "\"},\"ts\":1795320218948,\"offset\":\"V2ZCrjVl:1\"}").getBytes(StandardCharsets.UTF_8);
        subscribers = new Counting[SUBSCRIBERS];
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subscribers[i] = new Counting();
            hub.addPending(ROOM, subscribers[i]);
            hub.activate(ROOM, subscribers[i], List.of(), new Position("e", 0));
        }
        awaitLane();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES * SUBSCRIBERS)
    public void fanOut() throws InterruptedException {
        for (int i = 0; i < FRAMES; i++) {
            hub.deliver(ROOM, frame, new Position("e", ++seq));
        }
        awaitLane();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        awaitLane();
        long expected = seq;
        for (Counting s : subscribers) {
            if (s.frames != expected) {
                throw new IllegalStateException("a subscriber got " + s.frames + " of " + expected + " frames");
            }
        }
        lanes.close();
    }

    private void awaitLane() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        hub.run(ROOM, done::countDown);
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the lane did not finish");
        }
    }
}
