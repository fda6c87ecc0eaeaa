package io.relay.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Opens every connection of a topology and joins its room, at most {@code concurrency} at a time.
 * An attempt must be joined within the timeout; a failed one is retried up to {@code retries}
 * times, 100 ms later. Records each connection's connect (to the welcome) and ready (to
 * {@code joined}) latency.
 */
public final class Connector {
    /** The outcome: {@code clients} holds the joined connections in topology order. */
    public record Result(List<BenchClient> clients, int attempted, long wallNanos, Latency connect, Latency ready,
                         long failures, long retries, String firstError) {
        public boolean complete() {
            return clients.size() == attempted;
        }
    }

    private final WsClient ws;
    private final Protocol protocol;
    private final Tokens tokens;
    private final Traffic traffic;
    private final int concurrency;
    private final long timeoutMillis;
    private final int retries;
    private final Recorder connectMicros = new Recorder(3_600_000_000L, 3);
    private final Recorder readyMicros = new Recorder(3_600_000_000L, 3);
    private final ConcurrentLinkedQueue<BenchClient> joined = new ConcurrentLinkedQueue<>();
    private final LongAdder failures = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    /** {@code tokens} may be null when the protocol needs none. */
    public Connector(WsClient ws, Protocol protocol, Tokens tokens, Traffic traffic, int concurrency, long timeoutMillis,
                     int retries) {
        this.ws = ws;
        this.protocol = protocol;
        this.tokens = tokens;
        this.traffic = traffic;
        this.concurrency = concurrency;
        this.timeoutMillis = timeoutMillis;
        this.retries = retries;
    }

    /** Connects every spec; returns when all are joined or have failed, or {@code deadlineNanos} passed. */
    public Result connectAll(List<Topology.Spec> specs, long deadlineNanos) throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(specs.size());
        long t0 = System.nanoTime();
        for (Topology.Spec spec : specs) {
            if (!slots.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            attempt(spec, 0, () -> {
                slots.release();
                done.countDown();
            });
        }
        done.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        long wall = System.nanoTime() - t0;
        List<BenchClient> clients = new ArrayList<>(joined);
        clients.sort(Comparator.comparingInt(c -> c.spec().n()));
        if (clients.size() < specs.size()) {
            firstError.compareAndSet(null, "not connected within the time limit");
        }
        return new Result(List.copyOf(clients), specs.size(), wall, Latency.of(connectMicros.getIntervalHistogram()),
                Latency.of(readyMicros.getIntervalHistogram()), failures.sum(), retried.sum(), firstError.get());
    }

    private void attempt(Topology.Spec spec, int attempt, Runnable finished) {
        BenchClient client = new BenchClient(spec, protocol, traffic);
        ws.schedule(() -> client.abandon("not joined within " + timeoutMillis + " ms"), timeoutMillis);
        Map<String, String> headers = protocol.needsToken() ? Map.of("token", tokens.token(spec.user())) : Map.of();
        client.attach(ws.connect(spec.url(), spec.sourceAddress(), headers, client));
        client.ready().whenComplete((ok, failure) -> {
            if (failure == null) {
                connectMicros.recordValue(Math.max(0, client.connectNanos() / 1000));
                readyMicros.recordValue(Math.max(0, client.readyNanos() / 1000));
                joined.add(client);
                finished.run();
            } else if (attempt < retries) {
                retried.increment();
                ws.schedule(() -> attempt(spec, attempt + 1, finished), 100);
            } else {
                failures.increment();
                firstError.compareAndSet(null, spec.user() + " via " + spec.url() + ": " + failure.getMessage());
                finished.run();
            }
        });
    }
}
