package io.relay.bench;

import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The load generator's entry point: parses the flags, starts the watchdog, runs the bench, prints
 * the summary lines and the JSON line (also appended to {@code --out}). Exit codes: 0 the run
 * completed, 1 bad options or an unexpected error, 2 not every client connected and joined,
 * 3 out of time: the run reached {@code --max-runtime} (reported with status "timeout"), or the
 * watchdog ended the process.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("relay-bench: " + e.getMessage());
            System.err.println("run with --help for the options");
            System.exit(1);
            return;
        }
        if (o.help()) {
            System.out.print(Options.USAGE);
            return;
        }
        System.exit(run(o));
    }

    static int run(Options o) {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        long deadline = System.nanoTime() + Math.round(o.maxRuntime() * 1e9);
        startWatchdog(o.maxRuntime());
        PrintStream out = System.out;
        long reserve = Math.min(5_000_000_000L, Math.round(o.maxRuntime() * 1e8)); // to report and close
        try (Bench bench = new Bench(o, deadline - reserve, System.err)) {
            Report report = bench.run();
            report.lines().forEach(out::println);
            String json = report.toJson().toString();
            out.println(json);
            out.flush();
            append(o.out(), json);
            return report.exitCode();
        } catch (IOException | RuntimeException e) {
            System.err.println("relay-bench: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void append(String file, String json) throws IOException {
        if (file == null) {
            return;
        }
        Path p = Path.of(file);
        if (p.getParent() != null) {
            Files.createDirectories(p.getParent());
        }
        Files.writeString(p, json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void startWatchdog(double seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(Math.round(seconds * 1000));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("relay-bench: watchdog: --max-runtime " + seconds + " s exceeded, exiting");
            System.err.flush();
            Runtime.getRuntime().halt(3);
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
