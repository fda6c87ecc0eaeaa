package io.relay.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The command line: {@code --flag value} or {@code --flag=value}, every flag with its default here.
 * {@link #parse} refuses an unknown flag, a missing or malformed value and a value out of range, with
 * a message that names the flag.
 */
public record Options(
        String workload, Mode mode, Protocol protocol, List<URI> urls, List<String> sourceAddresses, String secret,
        String issuer, String audience, String roomPrefix, String userPrefix,
        int rooms, int members, int publishers, double rate, int payload,
        double duration, double warmup, double drain,
        double stepSeconds, double rateFactor, double p99Limit, int maxSteps,
        double hold, List<Long> pids, List<String> pidFiles,
        int connectConcurrency, double connectTimeout, int connectRetries, int ioThreads,
        double maxRuntime, String out, boolean help) {

    public enum Mode { RUN, SATURATE, IDLE }

    public static final String USAGE = """
            usage: java -jar relay-bench.jar --urls ws://host:port/ws[,...] --secret <HS256 secret> [options]

            Opens R rooms x S members (+ P publishers per room, who join too) on a Relay cluster, one user
            and one WebSocket per connection, and measures deliveries, loss, duplicates and latency.

              --mode run|saturate|idle   run: fixed --rate; saturate: rate x --rate-factor per step until
                                         p99 > --p99-limit or loss; idle: connect, join, hold     [run]
              --workload NAME            label for the report                              [the mode]
              --protocol P               relay; or, to drive the peers of ../shared/bench with the same
                                         client: socketio (Socket.IO v4, WebSocket transport) or
                                         seedws (its hand-written ws server); a URL without a path
                                         gets /ws, /socket.io/?EIO=4&transport=websocket or /  [relay]
              --urls LIST                comma list of ws:// URLs; connections round-robin over them
                                                                           [ws://127.0.0.1:8080/ws]
              --source-addresses LIST    local addresses to bind, round-robin: 127.0.0.1,127.0.0.2 or
                                         127.0.0.1-127.0.0.4 (~28k connections per address)  [OS picks]
              --secret S                 HS256 secret of the nodes (RELAY_JWT_SECRET)  [$RELAY_JWT_SECRET]
              --issuer ISS, --audience AUD   iss/aud claims, when the nodes check them
              --room-prefix P            rooms are named P<r>                      [bench-<random>-]
              --user-prefix P            user of connection n is P<n>                          [bench-]
              --rooms R                  rooms                                                     [10]
              --members S                subscribing members per room                              [10]
              --publishers P             publishers per room (they join the room as well)           [1]
              --rate N                   messages/s per publisher (saturate: the first step)       [10]
              --payload B                bytes of each message's data object                      [100]
              --duration S               seconds of publishing (run)                               [10]
              --warmup S                 seconds of publishing before measuring                     [0]
              --drain S                  at most this long to wait for deliveries after the last publish [5]
              --step-seconds S           saturate: seconds per step                                [10]
              --rate-factor F            saturate: rate multiplier per step                       [1.5]
              --p99-limit MS             saturate: a step with a higher p99 fails                 [100]
              --max-steps N              saturate: at most this many steps                         [15]
              --hold S                   idle: seconds to hold the connections                     [30]
              --pids LIST                server process ids to read /proc/<pid>/{stat,status} of
              --pid-file LIST            files of "<name> <pid>" lines (run-peer.sh, run-workloads.sh);
                                         processes named *redis* count for CPU, not for RSS/connection
              --connect-concurrency N    connections being opened at once                         [200]
              --connect-timeout S        per attempt: TCP + upgrade + welcome + joined              [10]
              --connect-retries N        further attempts per connection                            [2]
              --io-threads N             Netty event loop threads for all connections               [2]
              --max-runtime S            the run stops publishing shortly before, and the process
                                         ends (exit 3) at this many seconds whatever happens       [900]
              --out FILE                 append the JSON result line to FILE
              --help                     this text

            The nodes' per-connection rate limit (RELAY_RATE, RELAY_BURST) must allow --rate, and
            RELAY_OUTBOUND_QUEUE the fan-out bursts, or the limits are what is measured.
            Output: summary lines starting with "# ", then one JSON line. Exit 0 when the run completed,
            1 on bad options or errors, 2 when not every connection connected and joined, 3 when the
            run ran out of --max-runtime (status "timeout") or the watchdog ended it.
            """;

    /** Parses {@code args}; {@code env} supplies the default secret. */
    public static Options parse(String[] args, Map<String, String> env) {
        Map<String, String> given = flags(args);
        Reader r = new Reader(given);
        Protocol protocol = r.value("protocol", "relay", Protocol::parse);
        Options o = new Options(
                r.text("workload", null),
                r.value("mode", "run", Options::mode),
                protocol,
                r.value("urls", "ws://127.0.0.1:8080/ws", s -> urls(s, protocol)),
                r.value("source-addresses", "", Options::addresses),
                r.text("secret", env.get("RELAY_JWT_SECRET")),
                r.text("issuer", null), r.text("audience", null),
                r.text("room-prefix", "bench-" + Long.toString(System.nanoTime() & 0xfffff, 36) + "-"), r.text("user-prefix", "bench-"),
                r.integer("rooms", 10, 1), r.integer("members", 10, 0), r.integer("publishers", 1, 0),
                r.decimal("rate", 10, 0.001), r.integer("payload", 100, 0),
                r.decimal("duration", 10, 0.001), r.decimal("warmup", 0, 0), r.decimal("drain", 5, 0),
                r.decimal("step-seconds", 10, 0.001), r.decimal("rate-factor", 1.5, 1.0001),
                r.decimal("p99-limit", 100, 0.001), r.integer("max-steps", 15, 1),
                r.decimal("hold", 30, 0), r.value("pids", "", Options::pids), r.value("pid-file", "", Options::list),
                r.integer("connect-concurrency", 200, 1), r.decimal("connect-timeout", 10, 0.001),
                r.integer("connect-retries", 2, 0), r.integer("io-threads", 2, 1),
                r.decimal("max-runtime", 900, 1), r.text("out", null), given.containsKey("help"));
        r.refuseUnknown();
        return o.help ? o : o.validated();
    }

    /** Publishers in all rooms together. */
    public int totalPublishers() {
        return mode == Mode.IDLE ? 0 : rooms * publishers;
    }

    /** Connections this run opens: every member and every publisher. */
    public int totalConnections() {
        return rooms * members + totalPublishers();
    }

    public String label() {
        return workload != null ? workload : mode.name().toLowerCase(Locale.ROOT);
    }

    private Options validated() {
        if (protocol.needsToken() && (secret == null || secret.isEmpty())) {
            throw new IllegalArgumentException("--secret is required (or set RELAY_JWT_SECRET): the nodes' HS256 secret");
        }
        if (mode != Mode.IDLE && publishers == 0) {
            throw new IllegalArgumentException("--publishers must be at least 1 in mode " + label());
        }
        if (!roomPrefix.matches("[A-Za-z0-9_.:@-]{1,100}") || !userPrefix.matches("[A-Za-z0-9_.:@-]{1,100}")) {
            throw new IllegalArgumentException("--room-prefix and --user-prefix may only hold A-Z a-z 0-9 _ . : @ -");
        }
        if (payload > 60_000) {
            throw new IllegalArgumentException("--payload " + payload + " is larger than a node accepts (64 KiB frames)");
        }
        return this;
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                given.put("help", "true");
                continue;
            }
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (flags are --name value)");
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (given.put(name, value) != null) {
                throw new IllegalArgumentException("--" + name + " given twice");
            }
        }
        return given;
    }

    private static Mode mode(String s) {
        try {
            return Mode.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be run, saturate or idle");
        }
    }

    /** A URL without a path gets the protocol's usual one. */
    private static List<URI> urls(String s, Protocol protocol) {
        List<URI> out = new ArrayList<>();
        for (String part : list(s)) {
            URI u = URI.create(part);
            if (!"ws".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("'" + part + "' is not a ws://host:port/path URL (wss is not supported)");
            }
            out.add(u.getRawPath() == null || u.getRawPath().isEmpty() ? u.resolve(protocol.defaultPath()) : u);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("needs at least one URL");
        }
        return List.copyOf(out);
    }

    /** {@code a,b} or ranges of the last octet: {@code 127.0.0.1-127.0.0.4} or {@code 127.0.0.1-4}. */
    static List<String> addresses(String s) {
        List<String> out = new ArrayList<>();
        for (String part : list(s)) {
            int dash = part.indexOf('-');
            if (dash < 0) {
                out.add(part);
                continue;
            }
            String first = part.substring(0, dash);
            int dot = first.lastIndexOf('.');
            String last = part.substring(dash + 1);
            int from = Integer.parseInt(first.substring(dot + 1));
            int to = Integer.parseInt(last.substring(last.lastIndexOf('.') + 1));
            if (dot < 0 || to < from || to > 255) {
                throw new IllegalArgumentException("bad address range '" + part + "'");
            }
            for (int i = from; i <= to; i++) {
                out.add(first.substring(0, dot + 1) + i);
            }
        }
        return List.copyOf(out);
    }

    private static List<Long> pids(String s) {
        return list(s).stream().map(Long::valueOf).toList();
    }

    private static List<String> list(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }

    /** Takes flags out of the given map one by one, so the ones left over are unknown. */
    private static final class Reader {
        private final Map<String, String> given;

        Reader(Map<String, String> given) {
            this.given = new LinkedHashMap<>(given);
            this.given.remove("help");
        }

        String text(String name, String fallback) {
            String v = given.remove(name);
            return v == null ? fallback : v;
        }

        <T> T value(String name, String fallback, Function<String, T> parse) {
            String v = text(name, fallback);
            try {
                return parse.apply(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + name + " '" + v + "': " + e.getMessage(), e);
            }
        }

        int integer(String name, int fallback, int min) {
            int v = value(name, Integer.toString(fallback), Integer::parseInt);
            if (v < min) {
                throw new IllegalArgumentException("--" + name + " must be at least " + min + ", not " + v);
            }
            return v;
        }

        double decimal(String name, double fallback, double min) {
            double v = value(name, Double.toString(fallback), Double::parseDouble);
            if (!(v >= min) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("--" + name + " must be a number of at least " + min + ", not " + v);
            }
            return v;
        }

        void refuseUnknown() {
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown option --" + given.keySet().iterator().next() + " (see --help)");
            }
        }
    }
}
