package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final List<String> TOP_LEVEL = List.of("tool", "date", "workload", "mode", "status", "rooms", "members",
            "publishers", "rate", "payload", "duration", "urls", "connections", "connected", "connect_ms",
            "connect_latency_ms", "ready_latency_ms", "connect_client_cpu_pct", "connect_server_cpu_s", "connect_server_cpu_ms_per_conn",
            "connect_server_switches_per_conn", "sent", "acked", "expected", "delivered",
            "loss", "duplicates", "deliveries_per_s", "latency_ms", "send_lag_ms", "server", "client_cpu_pct",
            "client_saturated", "disconnects", "error_count", "errors");
    private static final List<String> PERCENTILES = List.of("n", "p50", "p90", "p99", "p999", "max");
    private static final List<String> SERVER = List.of("cpu_s", "cpu_s_per_million", "rss_kb_before", "rss_kb_after",
            "rss_kb_per_conn", "switches", "switches_per_delivery", "procs");

    private final Latency latency = new Latency(1000, 1.5, 3.0, 9.9, 20.0, 25.0);
    private final ServerUsage server = new ServerUsage(5.5, 27.5, 300_000L, 330_000L, 3.0, 250_000L, 1.25,
            List.of(new ServerUsage.ProcUsage("relay-1", 42, 5.5, 250_000L, 300_000L, 330_000L, 340_000L)));
    private final Connector.Result connect = new Connector.Result(List.of(), 0, 1_500_000_000L, latency, latency, 0, 0, null);

    @Test
    void aRunReportHasEveryKeyAndOneLineOfJson() throws Exception {
        Options o = Options.parse(new String[] {"--secret", "s", "--workload", "W1", "--duration", "20"}, Map.of());
        Measurement m = new Measurement(10, 20, new DeliveryLedger.Tally(20_000, 20_000, 200_000, 199_990, 10, 2, 0, 0),
                9999.5, latency, Latency.NONE, server, 42.0, 0, 0);
        Report r = new Report(o, connect, 12.5, ServerUsage.NONE).measured(m).finish(1, "bench-3: {\"type\":\"error\"}");
        String line = r.toJson().toString();
        assertThat(line).doesNotContain("\n");
        JsonNode j = new ObjectMapper().readTree(line);
        assertThat(j.fieldNames()).toIterable().containsAll(TOP_LEVEL);
        assertThat(j.get("latency_ms").fieldNames()).toIterable().containsExactlyElementsOf(PERCENTILES);
        assertThat(j.get("server").fieldNames()).toIterable().containsExactlyElementsOf(SERVER);
        assertThat(j.get("workload").asText()).isEqualTo("W1");
        assertThat(j.get("mode").asText()).isEqualTo("run");
        assertThat(j.get("status").asText()).isEqualTo("ok");
        assertThat(j.get("expected").asLong()).isEqualTo(200_000);
        assertThat(j.get("loss").asLong()).isEqualTo(10);
        assertThat(j.get("duplicates").asLong()).isEqualTo(2);
        assertThat(j.get("connect_ms").asLong()).isEqualTo(1500);
        assertThat(j.get("latency_ms").get("p99").asDouble()).isEqualTo(9.9);
        assertThat(j.get("send_lag_ms").get("p99").isNull()).isTrue();
        assertThat(j.get("server").get("cpu_s_per_million").asDouble()).isEqualTo(27.5);
        assertThat(j.get("server").get("switches_per_delivery").asDouble()).isEqualTo(1.25);
        assertThat(j.get("server").get("procs").get(0).get("switches").asLong()).isEqualTo(250_000);
        assertThat(j.get("server").get("procs").get(0).get("name").asText()).isEqualTo("relay-1");
        assertThat(j.get("urls").get(0).asText()).isEqualTo("ws://127.0.0.1:8080/ws");
        assertThat(j.get("errors").asText()).startsWith("bench-3");
        assertThat(j.get("connect_server_cpu_s").isNull()).isTrue();
        assertThat(j.get("error_count").asLong()).isEqualTo(1);
        assertThat(r.lines()).allMatch(l -> l.startsWith("# ")).anyMatch(l -> l.contains("loss 10"))
                .anyMatch(l -> l.contains("250000 context switches (1.25 per delivery)"));
        assertThat(r.ok()).isTrue();
    }

    @Test
    void anIdleReportHasTheSameKeysWithRssPerConnection() throws Exception {
        Options o = Options.parse(new String[] {"--secret", "s", "--mode", "idle"}, Map.of());
        Connector.Result thousand = new Connector.Result(Collections.nCopies(1000, null), 1000, 2_000_000_000L,
                latency, latency, 0, 0, null);
        Report r = new Report(o, thousand, 50, connectUsage(1.25, 30_500L)).held(30.04, server, 0.3, 0).finish(0, null);
        JsonNode j = new ObjectMapper().readTree(r.toJson().toString());
        assertThat(j.get("connect_server_cpu_s").asDouble()).isEqualTo(1.25);
        assertThat(j.get("connect_server_cpu_ms_per_conn").asDouble()).isEqualTo(1.25);
        assertThat(j.get("connect_server_switches_per_conn").asDouble()).isEqualTo(30.5);
        assertThat(r.lines().get(0)).contains("server cpu 1.25 s = 1.25 ms per connection, 30.5 context switches per connection");
        assertThat(j.fieldNames()).toIterable().containsAll(TOP_LEVEL).contains("hold_s");
        assertThat(j.get("server").get("rss_kb_per_conn").asDouble()).isEqualTo(3.0);
        assertThat(j.get("hold_s").asDouble()).isEqualTo(30.0);
        assertThat(j.get("latency_ms").get("p50").isNull()).isTrue();
        assertThat(j.get("errors").isNull()).isTrue();
        assertThat(j.get("publishers").asInt()).isZero();
    }

    @Test
    void aSaturateReportNamesTheLastGoodStepAndListsEveryStep() throws Exception {
        Options o = Options.parse(new String[] {"--secret", "s", "--mode", "saturate", "--p99-limit", "100"}, Map.of());
        Measurement good = step(20, 9.0, 0);
        Measurement bad = step(30, 150.0, 0);
        Report r = new Report(o, connect, 1, ServerUsage.NONE).saturated(List.of(good, bad), good, bad).finish(0, null);
        JsonNode j = new ObjectMapper().readTree(r.toJson().toString());
        assertThat(j.fieldNames()).toIterable().containsAll(TOP_LEVEL).contains("saturate", "steps");
        assertThat(j.get("rate").asDouble()).isEqualTo(20.0);
        assertThat(j.get("saturate").get("last_good_rate").asDouble()).isEqualTo(20.0);
        assertThat(j.get("saturate").get("last_good_p99_ms").asDouble()).isEqualTo(9.0);
        assertThat(j.get("saturate").get("first_bad_rate").asDouble()).isEqualTo(30.0);
        assertThat(j.get("saturate").get("first_bad_reason").asText()).startsWith("p99");
        assertThat(j.get("steps")).hasSize(2);
        assertThat(j.get("steps").get(1).get("ok").asBoolean()).isFalse();
    }

    @Test
    void aFailedConnectIsReportedAsFailed() throws Exception {
        Options o = Options.parse(new String[] {"--secret", "s", "--urls", "ws://10.0.0.1:9/ws"}, Map.of());
        Connector.Result none = new Connector.Result(List.of(), 110, 1_000_000L, Latency.NONE, Latency.NONE, 110, 220,
                "bench-0 via ws://10.0.0.1:9/ws: connection refused");
        Report r = new Report(o, none, 1, ServerUsage.NONE).failed(none.firstError());
        JsonNode j = new ObjectMapper().readTree(r.toJson().toString());
        assertThat(r.ok()).isFalse();
        assertThat(j.get("status").asText()).isEqualTo("failed");
        assertThat(j.get("connected").asInt()).isZero();
        assertThat(j.get("connections").asInt()).isEqualTo(110);
        assertThat(j.get("errors").asText()).contains("connection refused");
        assertThat(URI.create(j.get("urls").get(0).asText()).getPort()).isEqualTo(9);
    }

    private Measurement step(double rate, double p99, long loss) {
        Latency l = new Latency(10, 1.0, 2.0, p99, p99, p99);
        return new Measurement(rate, 10, new DeliveryLedger.Tally(100, 100, 500, 500 - loss, loss, 0, 0, 0), 50, l,
                Latency.NONE, ServerUsage.NONE, 10, 0, 0);
    }

    private static ServerUsage connectUsage(double cpuS, long switches) {
        return new ServerUsage(cpuS, null, null, null, null, switches, null, List.of());
    }
}
