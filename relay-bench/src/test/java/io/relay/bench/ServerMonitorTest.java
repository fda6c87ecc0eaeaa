package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerMonitorTest {
    @TempDir
    Path proc;

    @Test
    void readsCpuAndMemoryOfAProcessWhoseNameHasSpaces() throws IOException {
        fakeProcess(77, 1234, 566, 204_800, 262_144);
        ServerMonitor.Sample s = new ServerMonitor(List.of(new ServerMonitor.Proc("n", 77)), proc).sample(77);
        assertThat(s.cpuS()).isEqualTo(18.0);
        assertThat(s.rssKb()).isEqualTo(204_800);
        assertThat(s.hwmKb()).isEqualTo(262_144);
    }

    @Test
    void countsTheContextSwitchesOfEveryThread() throws IOException {
        fakeProcess(77, 1, 1, 1, 1);
        fakeThread(77, 77, 1_000, 20);
        fakeThread(77, 78, 300, 4);
        assertThat(new ServerMonitor(List.of(), proc).sample(77).switches()).isEqualTo(1_324);
    }

    @Test
    void aProcessThatIsGoneReadsAsNull() {
        ServerMonitor.Sample s = new ServerMonitor(List.of(), proc).sample(99);
        assertThat(s.cpuS()).isNull();
        assertThat(s.rssKb()).isNull();
        assertThat(s.switches()).isNull();
    }

    @Test
    void readsPidFilesAsRunPeerWritesThem() {
        assertThat(ServerMonitor.readPidFile(List.of("relay-7301 123", "", "redis-6390 45", "junk", "x notapid")))
                .containsExactly(new ServerMonitor.Proc("relay-7301", 123), new ServerMonitor.Proc("redis-6390", 45));
    }

    @Test
    void usageCountsRedisForCpuButNotForMemoryPerConnection() {
        ServerMonitor.Proc node = new ServerMonitor.Proc("relay-1", 1);
        ServerMonitor.Proc redis = new ServerMonitor.Proc("redis-6390", 2);
        Map<ServerMonitor.Proc, ServerMonitor.Sample> baseline = samples(node, 1.0, 100_000, redis, 0.5, 10_000);
        Map<ServerMonitor.Proc, ServerMonitor.Sample> from = samples(node, 2.0, 150_000, redis, 1.0, 12_000);
        Map<ServerMonitor.Proc, ServerMonitor.Sample> to = samples(node, 6.0, 180_000, redis, 2.0, 20_000);
        ServerUsage u = ServerUsage.between(baseline, from, to, 500_000, 10_000);
        assertThat(u.cpuS()).isEqualTo(5.0);
        assertThat(u.switches()).isEqualTo(400_000 + 100_000);
        assertThat(u.switchesPerDelivery()).isEqualTo(1.0);
        assertThat(u.cpuSPerMillion()).isEqualTo(10.0);
        assertThat(u.rssKbBefore()).isEqualTo(100_000);
        assertThat(u.rssKbAfter()).isEqualTo(180_000);
        assertThat(u.rssKbPerConn()).isEqualTo(8.0);
        assertThat(u.procs()).extracting(ServerUsage.ProcUsage::cpuS).containsExactly(4.0, 1.0);
        assertThat(u.procs()).extracting(ServerUsage.ProcUsage::switches).containsExactly(400_000L, 100_000L);
    }

    @Test
    void noProcessesMeansNoServerFigures() {
        assertThat(ServerUsage.between(Map.of(), Map.of(), Map.of(), 10, 10)).isEqualTo(ServerUsage.NONE);
    }

    private static Map<ServerMonitor.Proc, ServerMonitor.Sample> samples(ServerMonitor.Proc a, double cpuA, long rssA,
                                                                         ServerMonitor.Proc b, double cpuB, long rssB) {
        Map<ServerMonitor.Proc, ServerMonitor.Sample> m = new LinkedHashMap<>();
        // switches as 100,000 per CPU-second, so the phase's count follows from its CPU
        m.put(a, new ServerMonitor.Sample(cpuA, rssA, rssA, (long) (cpuA * 100_000)));
        m.put(b, new ServerMonitor.Sample(cpuB, rssB, rssB, (long) (cpuB * 100_000)));
        return m;
    }

    private void fakeThread(long pid, long tid, long voluntary, long involuntary) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
        Files.writeString(dir.resolve("status"), "Name:\tjava\nvoluntary_ctxt_switches:\t" + voluntary
                + "\nnonvoluntary_ctxt_switches:\t" + involuntary + "\n");
    }

    private void fakeProcess(long pid, long utime, long stime, long rssKb, long hwmKb) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        // fields 14 and 15 are utime and stime; the command name may hold spaces and parentheses
        Files.writeString(dir.resolve("stat"), pid + " (java (main) x) S 1 2 3 4 5 6 7 8 9 10 " + utime + " " + stime
                + " 0 0 20 0 30 0 100 3000000 5000\n");
        Files.writeString(dir.resolve("status"), "Name:\tjava\nVmPeak:\t 999 kB\nVmHWM:\t  " + hwmKb + " kB\nVmRSS:\t  "
                + rssKb + " kB\nThreads:\t30\n");
    }
}
