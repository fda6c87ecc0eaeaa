package io.relay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The result of a run as one JSON object (one line) and as summary lines for people. The JSON keeps
 * the same keys in every mode; what a mode does not measure is null (or 0 for counts).
 */
public final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options o;
    private final Connector.Result connect;
    private final double connectClientCpuPct;
    private final ServerUsage connectServer;
    private String status = "ok";
    private Measurement main;
    private List<Measurement> steps = List.of();
    private Measurement lastGood;
    private Measurement firstBad;
    private Double holdS;
    private ServerUsage idleServer;
    private Double idleClientCpu;
    private long disconnects;
    private long errorCount;
    private String firstError;

    /**
     * @param connectServer what the server processes used over the connect phase, Redis included
     *     ({@link ServerUsage#NONE} when not measured): with the client the limit of a connect storm, the
     *     figures to compare
     */
    public Report(Options o, Connector.Result connect, double connectClientCpuPct, ServerUsage connectServer) {
        this.o = o;
        this.connect = connect;
        this.connectClientCpuPct = connectClientCpuPct;
        this.connectServer = connectServer;
    }

    /** Server CPU per connection made, in ms; null when not measured or nothing connected. */
    private Double connectServerMsPerConn() {
        int n = connect.clients().size();
        Double cpu = connectServer.cpuS();
        return cpu == null || n == 0 ? null : Math.round(cpu * 1e6 / n) / 1000.0;
    }

    /** Server context switches per connection made; null when not measured or nothing connected. */
    private Double connectServerSwitchesPerConn() {
        int n = connect.clients().size();
        Long switches = connectServer.switches();
        return switches == null || n == 0 ? null : Math.round(switches * 10.0 / n) / 10.0;
    }

    Report failed(String why) {
        status = "failed";
        errorCount = connect.failures();
        firstError = why;
        return this;
    }

    /** The run reached --max-runtime before it was done: its figures cover less than asked. */
    Report timedOut() {
        status = "timeout";
        return this;
    }

    Report measured(Measurement m) {
        main = m;
        disconnects = m.disconnects();
        return this;
    }

    Report saturated(List<Measurement> all, Measurement good, Measurement bad) {
        steps = List.copyOf(all);
        lastGood = good;
        firstBad = bad;
        main = good != null ? good : bad;
        disconnects = all.stream().mapToLong(Measurement::disconnects).sum();
        return this;
    }

    Report held(double seconds, ServerUsage usage, double clientCpuPct, long disconnectCount) {
        holdS = Math.round(seconds * 10) / 10.0;
        idleServer = usage;
        idleClientCpu = clientCpuPct;
        disconnects = disconnectCount;
        return this;
    }

    Report finish(long errors, String first) {
        errorCount = errors;
        firstError = first;
        return this;
    }

    /** True when every connection connected and joined (the run itself may still show loss). */
    public boolean ok() {
        return status.equals("ok");
    }

    /** The process exit code: 0 completed, 2 not every client connected and joined, 3 out of time. */
    public int exitCode() {
        return switch (status) {
            case "ok" -> 0;
            case "timeout" -> 3;
            default -> 2;
        };
    }

    public ObjectNode toJson() {
        ObjectNode j = JSON.createObjectNode();
        j.put("tool", "relay-bench");
        j.put("date", Instant.now().toString());
        j.put("workload", o.label());
        j.put("mode", o.mode().name().toLowerCase(Locale.ROOT));
        j.put("protocol", o.protocol().label());
        j.put("status", status);
        j.put("rooms", o.rooms());
        j.put("members", o.members());
        j.put("publishers", o.mode() == Options.Mode.IDLE ? 0 : o.publishers());
        j.put("rate", main != null ? main.rate() : o.mode() == Options.Mode.IDLE ? 0 : o.rate());
        j.put("payload", o.payload());
        j.put("duration", main != null ? main.seconds() : holdS != null ? holdS : o.duration());
        ArrayNode urls = j.putArray("urls");
        o.urls().forEach(u -> urls.add(u.toString()));
        j.put("connections", connect.attempted());
        j.put("connected", connect.clients().size());
        j.put("connect_ms", TimeUnit.NANOSECONDS.toMillis(connect.wallNanos()));
        j.set("connect_latency_ms", latency(connect.connect()));
        j.set("ready_latency_ms", latency(connect.ready()));
        j.put("connect_client_cpu_pct", connectClientCpuPct);
        putNullable(j, "connect_server_cpu_s", connectServer.cpuS());
        putNullable(j, "connect_server_cpu_ms_per_conn", connectServerMsPerConn());
        putNullable(j, "connect_server_switches_per_conn", connectServerSwitchesPerConn());
        DeliveryLedger.Tally t = main != null ? main.tally() : new DeliveryLedger.Tally(0, 0, 0, 0, 0, 0, 0, 0);
        j.put("sent", t.sent());
        j.put("acked", t.acked());
        j.put("expected", t.expected());
        j.put("delivered", t.delivered());
        j.put("loss", t.loss());
        j.put("duplicates", t.duplicates());
        j.put("unacked_delivered", t.unackedDelivered());
        j.put("stale", t.stale());
        j.put("deliveries_per_s", main != null ? main.deliveriesPerS() : 0);
        j.set("latency_ms", latency(main != null ? main.latency() : Latency.NONE));
        j.set("send_lag_ms", latency(main != null ? main.sendLag() : Latency.NONE));
        j.set("server", server(main != null ? main.server() : idleServer != null ? idleServer : ServerUsage.NONE));
        putNullable(j, "client_cpu_pct", main != null ? (Double) main.clientCpuPct() : idleClientCpu);
        j.put("client_saturated", main != null && main.clientSaturated());
        j.put("disconnects", disconnects);
        j.put("error_count", errorCount);
        j.put("errors", firstError);
        if (holdS != null) {
            j.put("hold_s", holdS);
        }
        if (o.mode() == Options.Mode.SATURATE) {
            saturation(j);
        }
        return j;
    }

    private void saturation(ObjectNode j) {
        ObjectNode s = j.putObject("saturate");
        s.put("p99_limit_ms", o.p99Limit());
        putNullable(s, "last_good_rate", lastGood == null ? null : lastGood.rate());
        putNullable(s, "last_good_deliveries_per_s", lastGood == null ? null : lastGood.deliveriesPerS());
        putNullable(s, "last_good_p99_ms", lastGood == null ? null : lastGood.latency().p99());
        putNullable(s, "first_bad_rate", firstBad == null ? null : firstBad.rate());
        s.put("first_bad_reason", firstBad == null ? "not reached" : firstBad.failure(o.p99Limit()));
        ArrayNode arr = j.putArray("steps");
        for (Measurement m : steps) {
            ObjectNode st = arr.addObject();
            st.put("rate", m.rate());
            st.put("ok", m.passes(o.p99Limit()));
            st.put("sent", m.tally().sent());
            st.put("expected", m.tally().expected());
            st.put("delivered", m.tally().delivered());
            st.put("loss", m.tally().loss());
            st.put("duplicates", m.tally().duplicates());
            st.put("deliveries_per_s", m.deliveriesPerS());
            st.set("latency_ms", latency(m.latency()));
            putNullable(st, "server_cpu_s", m.server().cpuS());
            putNullable(st, "server_cpu_s_per_million", m.server().cpuSPerMillion());
            st.put("client_cpu_pct", m.clientCpuPct());
            st.put("client_saturated", m.clientSaturated());
        }
    }

    private static ObjectNode latency(Latency l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("n", l.count());
        putNullable(n, "p50", l.p50());
        putNullable(n, "p90", l.p90());
        putNullable(n, "p99", l.p99());
        putNullable(n, "p999", l.p999());
        putNullable(n, "max", l.max());
        return n;
    }

    private static ObjectNode server(ServerUsage s) {
        ObjectNode n = JSON.createObjectNode();
        putNullable(n, "cpu_s", s.cpuS());
        putNullable(n, "cpu_s_per_million", s.cpuSPerMillion());
        putNullable(n, "rss_kb_before", s.rssKbBefore());
        putNullable(n, "rss_kb_after", s.rssKbAfter());
        putNullable(n, "rss_kb_per_conn", s.rssKbPerConn());
        putNullable(n, "switches", s.switches());
        putNullable(n, "switches_per_delivery", s.switchesPerDelivery());
        ArrayNode procs = n.putArray("procs");
        for (ServerUsage.ProcUsage p : s.procs()) {
            ObjectNode pn = procs.addObject();
            pn.put("name", p.name());
            pn.put("pid", p.pid());
            putNullable(pn, "cpu_s", p.cpuS());
            putNullable(pn, "switches", p.switches());
            putNullable(pn, "rss_kb_before", p.rssKbBefore());
            putNullable(pn, "rss_kb_after", p.rssKbAfter());
            putNullable(pn, "hwm_kb", p.hwmKb());
        }
        return n;
    }

    private static void putNullable(ObjectNode n, String key, Number v) {
        if (v == null) {
            n.putNull(key);
        } else if (v instanceof Long || v instanceof Integer) {
            n.put(key, v.longValue());
        } else {
            n.put(key, v.doubleValue());
        }
    }

    /** The human summary, each line starting with "# ". */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        String shape = o.rooms() + " rooms x " + o.members() + " members"
                + (o.mode() == Options.Mode.IDLE ? "" : ", " + o.publishers() + " publisher(s)/room, " + o.payload() + " B");
        out.add(String.format(Locale.ROOT, "# %s %s: %s | %s: connected %d/%d in %d ms (connect p50/p99 %s/%s ms, joined p50/p99 %s/%s ms, client cpu %s%%%s)",
                o.label(), o.mode().name().toLowerCase(Locale.ROOT), shape, status.toUpperCase(Locale.ROOT),
                connect.clients().size(), connect.attempted(), TimeUnit.NANOSECONDS.toMillis(connect.wallNanos()),
                connect.connect().p50(), connect.connect().p99(), connect.ready().p50(), connect.ready().p99(),
                connectClientCpuPct, connectServer.cpuS() == null ? ""
                        : ", server cpu " + connectServer.cpuS() + " s = " + connectServerMsPerConn() + " ms per connection"
                        + (connectServer.switches() == null ? ""
                        : ", " + connectServerSwitchesPerConn() + " context switches per connection")));
        if (o.mode() == Options.Mode.SATURATE) {
            for (Measurement m : steps) {
                out.add("#   " + (m.passes(o.p99Limit()) ? "OK   " : "FAIL ") + summary(m));
            }
            out.add(String.format(Locale.ROOT, "# last good: %s msg/s per publisher = %s deliveries/s (p99 %s ms); first bad: %s (%s)",
                    lastGood == null ? "none" : lastGood.rate(), lastGood == null ? "-" : lastGood.deliveriesPerS(),
                    lastGood == null ? "-" : lastGood.latency().p99(), firstBad == null ? "none" : firstBad.rate(),
                    firstBad == null ? "not reached" : firstBad.failure(o.p99Limit())));
        } else if (main != null) {
            out.add("# " + summary(main));
        }
        ServerUsage s = main != null ? main.server() : idleServer;
        if (holdS != null) {
            out.add(String.format(Locale.ROOT, "# idle %s s: server cpu %s s, rss %s -> %s KiB = %s KiB per connection, client cpu %s%%, disconnects %d",
                    holdS, s.cpuS(), s.rssKbBefore(), s.rssKbAfter(), s.rssKbPerConn(), idleClientCpu, disconnects));
        }
        if (s != null) {
            for (ServerUsage.ProcUsage p : s.procs()) {
                out.add(String.format(Locale.ROOT, "#   %s pid %d: cpu %s s, %s context switches, rss %s -> %s KiB, VmHWM %s KiB",
                        p.name(), p.pid(), p.cpuS(), p.switches(), p.rssKbBefore(), p.rssKbAfter(), p.hwmKb()));
            }
        }
        if (errorCount > 0 || firstError != null) {
            out.add("# errors: " + errorCount + ", first: " + firstError);
        }
        return out;
    }

    /** One line for a window. */
    static String summary(Measurement m) {
        DeliveryLedger.Tally t = m.tally();
        Latency l = m.latency();
        return String.format(Locale.ROOT,
                "rate %s/s per publisher, %s s: sent %d, acked %d, delivered %d/%d (%s/s), loss %d, dups %d | latency ms p50 %s p90 %s p99 %s p99.9 %s max %s"
                        + "%s | client cpu %s%%%s%s",
                m.rate(), m.seconds(), t.sent(), t.acked(), t.delivered(), t.expected(), m.deliveriesPerS(), t.loss(), t.duplicates(),
                l.p50(), l.p90(), l.p99(), l.p999(), l.max(),
                m.server().cpuS() == null ? "" : " | server cpu " + m.server().cpuS() + " s (" + m.server().cpuSPerMillion() + " s per million)"
                        + (m.server().switches() == null ? "" : ", " + m.server().switches() + " context switches ("
                        + m.server().switchesPerDelivery() + " per delivery)"),
                m.clientCpuPct(), m.disconnects() > 0 ? " | DISCONNECTS " + m.disconnects() : "",
                m.clientSaturated() ? " | CLIENT SATURATED" : "");
    }
}
