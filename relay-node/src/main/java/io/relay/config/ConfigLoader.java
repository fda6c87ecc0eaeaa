package io.relay.config;

import io.relay.model.Names;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link NodeConfig} from the {@code RELAY_*} environment variables of DESIGN.md
 * ("Configuration") and from command-line flags, which win. Every variable has a flag: its name
 * without {@code RELAY_}, lower case, {@code -} for {@code _} ({@code RELAY_NODE_TTL} =
 * {@code --node-ttl}), given as {@code --node-ttl 5s} or {@code --node-ttl=5s}; a boolean flag alone
 * means {@code true}. Unset values keep {@link NodeConfig#defaults()}, the only place defaults live.
 *
 * <p>Values: durations take a unit ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 24h}); sizes are
 * bytes; booleans are {@code true}/{@code false}; lists are comma-separated; files must exist and
 * be readable. Values are trimmed and a blank variable counts as unset. The first bad value or
 * combination stops loading with a {@link ConfigException} naming the variable and its flag.
 * This is the only class that reads the environment: callers pass {@code System.getenv()}.
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
    private static final String PREFIX = "RELAY_";
    /** HS256 needs a key of at least 256 bits (RFC 7518, 3.2). */
    private static final int MIN_SECRET_BYTES = 32;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ms|s|m|h)");
    private static final Pattern INTEGER = Pattern.compile("\\d{1,18}");
    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9_.:-]+");
    private static final List<String> REDIS_SCHEMES = List.of("redis", "rediss", "redis-sentinel");
    private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String NODE_ID_RULE = "1-128 characters of A-Z a-z 0-9 _ . @ : -";

    private static final List<Option> OPTIONS = List.of(
            option("RELAY_PORT", (b, v) -> b.port(v.port())),
            option("RELAY_HOST", (b, v) -> b.host(v.text())),
            option("RELAY_NODE_ID", (b, v) -> b.nodeId(v.nodeId())),
            option("RELAY_REDIS_URL", (b, v) -> b.redisUrl(v.redisUrl())),
            switchOption("RELAY_REDIS_CLUSTER", (b, v) -> b.redisCluster(v.bool())),
            option("RELAY_KEY_PREFIX", (b, v) -> b.keyPrefix(v.keyPrefix())),
            option("RELAY_JWT_SECRET", (b, v) -> b.jwtSecret(v.secret())),
            option("RELAY_JWT_PUBLIC_KEY", (b, v) -> b.jwtPublicKey(v.readableFile())),
            option("RELAY_JWT_ISSUER", (b, v) -> b.jwtIssuer(v.text())),
            option("RELAY_JWT_AUDIENCE", (b, v) -> b.jwtAudience(v.text())),
            switchOption("RELAY_JWT_REQUIRE_EXP", (b, v) -> b.jwtRequireExp(v.bool())),
            option("RELAY_ALLOWED_ORIGINS", (b, v) -> b.allowedOrigins(v.list())),
            option("RELAY_API_KEY", (b, v) -> b.apiKey(v.text())),
            option("RELAY_MAX_FRAME_BYTES", (b, v) -> b.maxFrameBytes(v.positiveInt())),
            option("RELAY_RATE", (b, v) -> b.rate(v.positiveInt())),
            option("RELAY_BURST", (b, v) -> b.burst(v.positiveInt())),
            option("RELAY_MAX_CONNECTIONS_PER_USER", (b, v) -> b.maxConnectionsPerUser(v.positiveInt())),
            option("RELAY_MAX_ROOMS_PER_CONNECTION", (b, v) -> b.maxRoomsPerConnection(v.positiveInt())),
            switchOption("RELAY_ALLOW_PUBLISH_WITHOUT_JOIN", (b, v) -> b.allowPublishWithoutJoin(v.bool())),
            option("RELAY_OUTBOUND_QUEUE", (b, v) -> b.outboundQueue(v.positiveInt())),
            option("RELAY_HISTORY_SIZE", (b, v) -> b.historySize(v.positiveInt())),
            option("RELAY_HISTORY_TTL", (b, v) -> b.historyTtl(v.positiveDuration())),
            option("RELAY_NODE_TTL", (b, v) -> b.nodeTtl(v.positiveDuration())),
            option("RELAY_HEARTBEAT", (b, v) -> b.heartbeat(v.positiveDuration())),
            option("RELAY_DRAIN_TIMEOUT", (b, v) -> b.drainTimeout(v.duration())),
            option("RELAY_REDIS_TIMEOUT", (b, v) -> b.redisTimeout(v.positiveDuration())),
            option("RELAY_UNSUBSCRIBE_DELAY", (b, v) -> b.unsubscribeDelay(v.duration())),
            option("RELAY_TLS_CERT", (b, v) -> b.tlsCert(v.readableFile())),
            option("RELAY_TLS_KEY", (b, v) -> b.tlsKey(v.readableFile())),
            option("RELAY_LOG_FORMAT", (b, v) -> b.logFormat(v.oneOf("text", "json"))),
            switchOption("RELAY_DEV_TOKENS", (b, v) -> b.devTokens(v.bool())),
            option("RELAY_IO_THREADS", (b, v) -> b.ioThreads(v.positiveInt())),
            option("RELAY_WARMUP", (b, v) -> b.warmup(v.count())));

    private static final Map<String, Option> BY_VARIABLE = index(Option::variable);
    private static final Map<String, Option> BY_FLAG = index(Option::flag);

    private ConfigLoader() {
    }

    /**
     * The configuration of {@code env} (the process environment) and {@code args} (the command line),
     * flags winning, over {@link NodeConfig#defaults()}. An unset node id becomes the host name plus
     * {@code -} and 4 random lowercase alphanumerics. Either argument may be null.
     *
     * @throws ConfigException for an unknown flag, a bad value or a bad combination of values
     */
    public static NodeConfig load(Map<String, String> env, String[] args) {
        Map<String, String> environment = env == null ? Map.of() : env;
        Map<Option, String> values = new HashMap<>();
        readEnvironment(environment, values);
        readFlags(args == null ? new String[0] : args, values);
        NodeConfig.Builder builder = NodeConfig.defaults();
        for (Option o : OPTIONS) {
            String text = values.get(o);
            if (text != null) {
                o.setter().set(builder, new Value(o, text));
            }
        }
        NodeConfig config = builder.build();
        if (config.nodeId() == null) {
            config = config.toBuilder().nodeId(generatedNodeId(environment)).build();
        }
        checkCombinations(config);
        return config;
    }

    private static void readEnvironment(Map<String, String> env, Map<Option, String> values) {
        env.forEach((name, text) -> {
            Option o = BY_VARIABLE.get(name);
            if (o != null && text != null && !text.isBlank()) {
                values.put(o, text.strip());
            } else if (o == null && name.startsWith(PREFIX)) {
                // a typo must not silently fall back to a default; the name only, never the value
                log.warn("ignoring unknown environment variable {}", name);
            }
        });
    }

    private static void readFlags(String[] args, Map<Option, String> values) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new ConfigException("unexpected argument '" + shown(arg)
                        + "': flags look like --port 9000 or --port=9000");
            }
            int eq = arg.indexOf('=');
            Option o = BY_FLAG.get(eq < 0 ? arg : arg.substring(0, eq));
            if (o == null) {
                throw new ConfigException("unknown flag " + shown(eq < 0 ? arg : arg.substring(0, eq)));
            }
            String text;
            if (eq >= 0) {
                text = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                text = args[++i];
            } else {
                text = o.isSwitch() ? "true" : "";
            }
            if (text.isBlank()) {
                throw new ConfigException(o.flag() + " (" + o.variable() + ") needs a value");
            }
            values.put(o, text.strip());
        }
    }

    /** Checks between values; each message names every field involved. */
    private static void checkCombinations(NodeConfig c) {
        if (c.jwtSecret() != null && c.jwtPublicKey() != null) {
            throw new ConfigException("set only one of " + named("RELAY_JWT_SECRET") + " and "
                    + named("RELAY_JWT_PUBLIC_KEY"));
        }
        if ((c.tlsCert() == null) != (c.tlsKey() == null)) {
            throw new ConfigException(named("RELAY_TLS_CERT") + " and " + named("RELAY_TLS_KEY")
                    + " must be set together");
        }
        if (c.devTokens() && c.jwtPublicKey() != null) {
            throw new ConfigException(named("RELAY_DEV_TOKENS") + " mints HS256 tokens: it needs "
                    + named("RELAY_JWT_SECRET") + " (or no key at all), not " + named("RELAY_JWT_PUBLIC_KEY"));
        }
        if (c.redisCluster() && c.redisUrl() == null) {
            throw new ConfigException(named("RELAY_REDIS_CLUSTER") + " needs " + named("RELAY_REDIS_URL")
                    + ": the embedded development Redis is not a cluster");
        }
        if (c.warmup() > 0 && c.jwtPublicKey() != null) {
            throw new ConfigException(named("RELAY_WARMUP") + " signs its own HS256 tokens: it needs "
                    + named("RELAY_JWT_SECRET") + " (or no key at all), not " + named("RELAY_JWT_PUBLIC_KEY"));
        }
        if (c.warmup() > 0 && c.tlsCert() != null) {
            throw new ConfigException(named("RELAY_WARMUP") + " connects over plain ws:// on loopback: it cannot be "
                    + "used with " + named("RELAY_TLS_CERT") + " (terminate TLS in front of the node instead)");
        }
        if (!Names.isValidUserId(c.nodeId())) {
            throw new ConfigException(named("RELAY_NODE_ID") + " must be " + NODE_ID_RULE);
        }
    }

    /** The host name's first label, made a valid id, then {@code -} and 4 random characters. */
    private static String generatedNodeId(Map<String, String> env) {
        String host = env.get("HOSTNAME");
        if (host == null || host.isBlank()) {
            host = localHostName();
        }
        String label = host.strip().split("\\.", 2)[0].replaceAll("[^A-Za-z0-9_@:-]", "-");
        if (label.length() > 64) {
            label = label.substring(0, 64);
        }
        StringBuilder id = new StringBuilder(label.isEmpty() ? "node" : label).append('-');
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 4; i++) {
            id.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return id.toString();
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "node";
        }
    }

    private static String named(String variable) {
        Option o = BY_VARIABLE.get(variable);
        return o.variable() + " (" + o.flag() + ")";
    }

    /** A value as it may appear in a message: shortened, control characters replaced. */
    private static String shown(String text) {
        String s = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    private static Option option(String variable, Setter setter) {
        return new Option(variable, setter, false);
    }

    /** A boolean option whose flag may stand alone to mean {@code true}. */
    private static Option switchOption(String variable, Setter setter) {
        return new Option(variable, setter, true);
    }

    private static Map<String, Option> index(Function<Option, String> key) {
        return OPTIONS.stream().collect(Collectors.toUnmodifiableMap(key, o -> o));
    }

    /** Parses one value's text into the builder; throws {@link ConfigException} through {@link Value}. */
    @FunctionalInterface
    private interface Setter {
        void set(NodeConfig.Builder builder, Value value);
    }

    /** One variable of DESIGN.md's table and its flag. */
    private record Option(String variable, Setter setter, boolean isSwitch) {
        String flag() {
            return "--" + variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The text given for one option, with parsers whose errors name the option. */
    private record Value(Option option, String text) {

        int port() {
            long n = integer("a port number 0-65535");
            if (n > 65_535) {
                throw invalid("a port number 0-65535");
            }
            return (int) n;
        }

        int positiveInt() {
            long n = integer("a positive integer");
            if (n < 1) {
                throw invalid("a positive integer");
            }
            if (n > Integer.MAX_VALUE) {
                throw invalid("a positive integer of at most " + Integer.MAX_VALUE);
            }
            return (int) n;
        }

        int count() {
            long n = integer("a whole number, 0 or more");
            if (n > 100_000) {
                throw invalid("a whole number of at most 100000");
            }
            return (int) n;
        }

        boolean bool() {
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(text);
            }
            throw invalid("true or false");
        }

        Duration duration() {
            Matcher m = DURATION.matcher(text);
            if (!m.matches()) {
                throw invalid("a duration with a unit: ms, s, m or h (e.g. 500ms, 10s, 5m, 24h)");
            }
            long unitMillis = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                default -> 3_600_000;
            };
            try {
                return Duration.ofMillis(Math.multiplyExact(Long.parseLong(m.group(1)), unitMillis));
            } catch (ArithmeticException e) {
                throw invalid("a duration of a sensible size");
            }
        }

        Duration positiveDuration() {
            Duration d = duration();
            if (d.isZero()) {
                throw invalid("a duration greater than 0");
            }
            return d;
        }

        String nodeId() {
            if (!Names.isValidUserId(text)) {
                throw invalid(NODE_ID_RULE);
            }
            return text;
        }

        /** The URL itself is never quoted: it may hold a password. */
        String redisUrl() {
            int sep = text.indexOf("://");
            String scheme = sep < 0 ? "" : text.substring(0, sep).toLowerCase(Locale.ROOT);
            if (!REDIS_SCHEMES.contains(scheme) || sep + 3 >= text.length()) {
                throw fail("must be a redis://, rediss:// or redis-sentinel:// URI"
                        + (scheme.isEmpty() ? "" : ", got scheme '" + shown(scheme) + "'"));
            }
            return text;
        }

        String keyPrefix() {
            if (!KEY_PREFIX.matcher(text).matches()) {
                throw invalid("made of A-Z a-z 0-9 _ . : - only");
            }
            return text;
        }

        /** The secret itself is never quoted. */
        String secret() {
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < MIN_SECRET_BYTES) {
                throw fail("must be at least " + MIN_SECRET_BYTES + " bytes (HS256 needs 256 bits), got "
                        + bytes + " bytes");
            }
            return text;
        }

        Path readableFile() {
            Path path;
            try {
                path = Path.of(text);
            } catch (InvalidPathException e) {
                throw invalid("a file path");
            }
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw invalid("a readable file (" + (Files.exists(path) ? "cannot read it" : "no such file") + ")");
            }
            return path;
        }

        List<String> list() {
            return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }

        String oneOf(String... allowed) {
            String lower = text.toLowerCase(Locale.ROOT);
            if (!Arrays.asList(allowed).contains(lower)) {
                throw invalid("one of " + String.join(", ", allowed));
            }
            return lower;
        }

        private long integer(String what) {
            if (!INTEGER.matcher(text).matches()) {
                throw invalid(what);
            }
            return Long.parseLong(text);
        }

        /** "RELAY_X (--x) must be WHAT, got 'TEXT'" */
        private ConfigException invalid(String what) {
            return fail("must be " + what + ", got '" + shown(text) + "'");
        }

        private ConfigException fail(String message) {
            return new ConfigException(option.variable() + " (" + option.flag() + ") " + message);
        }
    }
}
