package io.relay.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark run: connects and joins every client, then runs the mode (a fixed-rate window, a
 * saturation search, or an idle hold) and returns the report. Every phase is bounded in time by
 * the run's deadline.
 */
public final class Bench implements AutoCloseable {
    private final Options o;
    private final Topology topology;
    private final Traffic traffic = new Traffic();
    private final WsClient ws;
    private final ServerMonitor servers;
    private final long deadline;
    private final PrintStream log;
    private Map<ServerMonitor.Proc, ServerMonitor.Sample> baseline;
    private List<BenchClient> clients = List.of();
    private List<BenchClient> publishers = List.of();
    private long nextBase;
    private boolean cutShort;

    public Bench(Options o, long deadlineNanos, PrintStream log) throws IOException {
        this.o = o;
        this.topology = Topology.of(o);
        this.servers = ServerMonitor.of(o);
        this.deadline = deadlineNanos;
        this.log = log;
        this.ws = new WsClient(o.ioThreads(), (int) Math.round(o.connectTimeout() * 1000));
    }

    public Report run() throws InterruptedException {
        baseline = servers.snapshot();
        log.printf("[bench] connecting %d clients (%d rooms x %d members + %d publishers) to %s (%s)%n",
                topology.specs().size(), topology.rooms(), topology.members(), topology.publishers(), o.urls(),
                o.protocol().label());
        Tokens tokens = o.protocol().needsToken() ? new Tokens(o.secret(), o.issuer(), o.audience()) : null;
        Connector connector = new Connector(ws, o.protocol(), tokens, traffic,
                o.connectConcurrency(), Math.round(o.connectTimeout() * 1000), o.connectRetries());
        long cpu0 = ClientCpu.nanos();
        Connector.Result connect = connector.connectAll(topology.specs(), deadline);
        double connectCpu = ClientCpu.percent(cpu0, ClientCpu.nanos(), connect.wallNanos());
        clients = connect.clients();
        ServerUsage connectServer = ServerUsage.between(baseline, baseline, servers.snapshot(), 0, clients.size());
        log.printf("[bench] %d/%d connected and joined in %d ms%n", clients.size(), connect.attempted(),
                TimeUnit.NANOSECONDS.toMillis(connect.wallNanos()));
        Report report = new Report(o, connect, connectCpu, connectServer);
        if (!connect.complete()) {
            return report.failed(connect.firstError());
        }
        publishers = clients.stream().filter(c -> c.spec().role() == Topology.Role.PUBLISHER).toList();
        switch (o.mode()) {
            case RUN -> run(report);
            case SATURATE -> saturate(report);
            case IDLE -> idle(report);
        }
        if (cutShort) {
            report.timedOut();
        }
        return report.finish(traffic.errors(), traffic.firstError());
    }

    private void run(Report report) throws InterruptedException {
        warmUp(o.rate());
        Measurement m = measure(o.rate(), o.duration());
        report.measured(m);
    }

    private void saturate(Report report) throws InterruptedException {
        warmUp(o.rate());
        List<Measurement> steps = new ArrayList<>();
        Measurement lastGood = null;
        Measurement firstBad = null;
        double rate = o.rate();
        for (int step = 0; step < o.maxSteps() && !cutShort; step++) {
            Measurement m = measure(rate, o.stepSeconds());
            steps.add(m);
            boolean ok = m.passes(o.p99Limit());
            log.println("[bench] " + (ok ? "OK   " : "FAIL ") + Report.summary(m));
            if (!ok) {
                firstBad = m;
                break;
            }
            lastGood = m;
            rate = Math.round(rate * o.rateFactor() * 100) / 100.0;
        }
        report.saturated(steps, lastGood, firstBad);
    }

    private void idle(Report report) throws InterruptedException {
        Map<ServerMonitor.Proc, ServerMonitor.Sample> from = servers.snapshot();
        long cpu0 = ClientCpu.nanos();
        long t0 = System.nanoTime();
        long holdNanos = Math.round(o.hold() * 1e9);
        cutShort |= t0 + holdNanos > deadline;
        sleepUntil(Math.min(t0 + holdNanos, deadline));
        long wall = System.nanoTime() - t0;
        ServerUsage usage = ServerUsage.between(baseline, from, servers.snapshot(), 0, clients.size());
        report.held(wall / 1e9, usage, ClientCpu.percent(cpu0, ClientCpu.nanos(), wall), traffic.disconnects());
    }

    private void warmUp(double rate) throws InterruptedException {
        if (o.warmup() > 0) {
            Measurement w = measure(rate, o.warmup());
            log.println("[bench] warmup: " + Report.summary(w));
        }
    }

    /** One window: publish at {@code rate} for {@code seconds}, drain, count. */
    private Measurement measure(double rate, double seconds) throws InterruptedException {
        int capacity = (int) Math.ceil(rate * seconds) + 1;
        DeliveryLedger ledger = new DeliveryLedger(topology, nextBase, capacity);
        nextBase += capacity;
        long disconnects0 = traffic.disconnects();
        long errors0 = traffic.errors();
        Map<ServerMonitor.Proc, ServerMonitor.Sample> from = servers.snapshot();
        long cpu0 = ClientCpu.nanos();
        long t0 = System.nanoTime();
        traffic.measureInto(ledger);
        PublishLoop.Result pub = PublishLoop.run(publishers, ledger, rate, seconds, o.payload(), deadline);
        cutShort |= pub.startNanos() + Math.round(seconds * 1e9) > deadline;
        drain(ledger, pub.endNanos());
        traffic.measureInto(null);
        long t1 = System.nanoTime();
        long cpu1 = ClientCpu.nanos();
        DeliveryLedger.Tally tally = ledger.tally();
        long last = Math.max(ledger.lastDelivery(), pub.endNanos());
        double perS = tally.delivered() / Math.max(1e-3, (last - pub.startNanos()) / 1e9);
        ServerUsage usage = ServerUsage.between(baseline, from, servers.snapshot(), tally.delivered(), clients.size());
        return new Measurement(rate, seconds, tally, Math.round(perS * 10) / 10.0, Latency.of(ledger.latencies()),
                pub.sendLag(), usage, ClientCpu.percent(cpu0, cpu1, t1 - t0),
                traffic.disconnects() - disconnects0, traffic.errors() - errors0);
    }

    /** Waits until everything sent was acked and delivered, at most {@code --drain} seconds after publishing ended. */
    private void drain(DeliveryLedger ledger, long publishEnd) throws InterruptedException {
        long until = Math.min(publishEnd + Math.round(o.drain() * 1e9), deadline);
        while (!ledger.complete() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L));
        }
    }

    /** Closes every connection (bounded: at most about three seconds) and the event loops. */
    @Override
    public void close() {
        for (BenchClient c : clients) {
            c.close();
        }
        long until = System.nanoTime() + 3_000_000_000L;
        try {
            while (System.nanoTime() < until && clients.stream().anyMatch(BenchClient::isOpen)) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ws.close();
    }
}
