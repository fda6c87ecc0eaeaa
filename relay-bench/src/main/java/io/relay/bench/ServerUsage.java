package io.relay.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the server processes used: CPU seconds and context switches over a phase (all processes, Redis
 * included, as ../shared/bench's loadgen.js counts CPU) and resident memory before connecting and after
 * the phase (the nodes only: processes whose name does not contain "redis"). Null where unknown.
 */
public record ServerUsage(Double cpuS, Double cpuSPerMillion, Long rssKbBefore, Long rssKbAfter, Double rssKbPerConn,
                          Long switches, Double switchesPerDelivery, List<ProcUsage> procs) {

    public static final ServerUsage NONE = new ServerUsage(null, null, null, null, null, null, null, List.of());

    /** One process: CPU and context switches over the phase, RSS before connecting and after the phase, peak RSS (VmHWM). */
    public record ProcUsage(String name, long pid, Double cpuS, Long switches, Long rssKbBefore, Long rssKbAfter,
                            Long hwmKb) {
    }

    /**
     * Usage between {@code from} and {@code to}, memory against {@code baseline} (taken before
     * connecting); per million of {@code deliveries} and per one of {@code connections}.
     */
    public static ServerUsage between(Map<ServerMonitor.Proc, ServerMonitor.Sample> baseline,
                                      Map<ServerMonitor.Proc, ServerMonitor.Sample> from,
                                      Map<ServerMonitor.Proc, ServerMonitor.Sample> to,
                                      long deliveries, int connections) {
        if (to.isEmpty()) {
            return NONE;
        }
        List<ProcUsage> procs = new ArrayList<>();
        Double cpu = 0.0;
        Long switches = 0L;
        Long before = 0L;
        Long after = 0L;
        for (ServerMonitor.Proc p : to.keySet()) {
            ServerMonitor.Sample b = baseline.get(p);
            ServerMonitor.Sample f = from.get(p);
            ServerMonitor.Sample t = to.get(p);
            Double c = f == null || f.cpuS() == null || t.cpuS() == null ? null : round(t.cpuS() - f.cpuS());
            Long sw = f == null || f.switches() == null || t.switches() == null ? null : t.switches() - f.switches();
            Long rssBefore = b == null ? null : b.rssKb();
            procs.add(new ProcUsage(p.name(), p.pid(), c, sw, rssBefore, t.rssKb(), t.hwmKb()));
            cpu = cpu == null || c == null ? null : cpu + c;
            switches = switches == null || sw == null ? null : switches + sw;
            if (!p.isRedis()) {
                before = before == null || rssBefore == null ? null : before + rssBefore;
                after = after == null || t.rssKb() == null ? null : after + t.rssKb();
            }
        }
        Double perMillion = cpu == null || deliveries <= 0 ? null : round(cpu * 1e6 / deliveries);
        Double perConn = before == null || after == null || connections <= 0 ? null : round((double) (after - before) / connections);
        Double switchesPerDelivery = switches == null || deliveries <= 0 ? null : round((double) switches / deliveries);
        return new ServerUsage(cpu == null ? null : round(cpu), perMillion, before, after, perConn, switches,
                switchesPerDelivery, List.copyOf(procs));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
