package io.relay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the CPU time, memory and context switches of server processes on this machine from
 * {@code /proc/<pid>/stat} (utime + stime, at 100 ticks per second), {@code /proc/<pid>/status}
 * (VmRSS, VmHWM) and each thread's {@code /proc/<pid>/task/<tid>/status} (voluntary and involuntary
 * switches: a thread handing work to another costs one, and on a small machine they cost more CPU than
 * the work itself). A process that is gone or unreadable reads as null.
 */
public final class ServerMonitor {
    static final double CLK_TCK = 100.0;

    /** A process to watch; {@code name} is "pid-N" when none was given. */
    public record Proc(String name, long pid) {
        /** Redis's memory does not grow with connections to the nodes: left out of RSS per connection. */
        boolean isRedis() {
            return name.toLowerCase(Locale.ROOT).contains("redis");
        }
    }

    /** One reading of one process. */
    public record Sample(Double cpuS, Long rssKb, Long hwmKb, Long switches) {
    }

    private final List<Proc> procs;
    private final Path proc;

    public ServerMonitor(List<Proc> procs, Path proc) {
        this.procs = List.copyOf(procs);
        this.proc = proc;
    }

    public static ServerMonitor of(Options o) throws IOException {
        List<Proc> procs = new ArrayList<>();
        for (long pid : o.pids()) {
            procs.add(new Proc("pid-" + pid, pid));
        }
        for (String file : o.pidFiles()) {
            procs.addAll(readPidFile(Files.readAllLines(Path.of(file))));
        }
        return new ServerMonitor(procs, Path.of("/proc"));
    }

    /** Lines "<name> <pid>"; blank lines and lines without a numeric pid are skipped. */
    static List<Proc> readPidFile(List<String> lines) {
        List<Proc> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[1].matches("\\d+")) {
                out.add(new Proc(f[0], Long.parseLong(f[1])));
            }
        }
        return out;
    }

    public List<Proc> procs() {
        return procs;
    }

    /** A reading of every process, in {@link #procs()} order. */
    public Map<Proc, Sample> snapshot() {
        Map<Proc, Sample> out = new LinkedHashMap<>();
        for (Proc p : procs) {
            out.put(p, sample(p.pid()));
        }
        return out;
    }

    Sample sample(long pid) {
        Path dir = proc.resolve(Long.toString(pid));
        return new Sample(cpuSeconds(dir.resolve("stat")), statusKb(dir.resolve("status"), "VmRSS:"),
                statusKb(dir.resolve("status"), "VmHWM:"), switches(dir.resolve("task")));
    }

    /** Voluntary and involuntary context switches of every thread alive now (a thread gone takes its count with it). */
    static Long switches(Path tasks) {
        try (var threads = Files.list(tasks)) {
            long sum = 0;
            for (Path thread : (Iterable<Path>) threads::iterator) {
                sum += threadSwitches(thread.resolve("status"));
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long threadSwitches(Path status) {
        List<String> lines;
        try {
            lines = Files.readAllLines(status);
        } catch (IOException e) {
            return 0; // ended between the listing and the read
        }
        long sum = 0;
        for (String line : lines) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return sum;
    }

    /** utime + stime: fields 14 and 15, counted after the command name, which may hold spaces. */
    static Double cpuSeconds(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static Long statusKb(Path status, String key) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
