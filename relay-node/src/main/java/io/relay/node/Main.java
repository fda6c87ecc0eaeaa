package io.relay.node;

import io.relay.config.ConfigException;
import io.relay.config.ConfigLoader;
import io.relay.config.NodeConfig;
import org.slf4j.Logger;
import sun.misc.Signal;
import org.slf4j.LoggerFactory;

/** {@code java -jar relay-node.jar [--flags]}: configuration from the environment and flags. */
public final class Main {
    private static final String LEAK_DETECTION_LEVEL = "io.netty.leakDetection.level";

    private Main() {
    }

    /** SIGTERM (an orchestrator stopping the node) drains it, then exits with 0. */
    private static void onSigterm(RelayNode node) {
        Signal.handle(new Signal("TERM"), signal -> {
            Thread drain = new Thread(() -> {
                node.drainAndClose();
                System.exit(0);
            }, "relay-drain");
            // the signal thread is a daemon, and so would this be: the JVM would end as soon as the
            // server's threads stop, cutting the drain's last steps (and its last log line) short
            drain.setDaemon(false);
            drain.start();
        });
    }

    /**
     * Netty's leak detector records a stack trace for one in 128 of Lettuce's buffers: about 1 % of a
     * node's CPU in a connect storm, for a check that reports Lettuce's bugs, not ours. Off unless the
     * operator asks for it with {@code -Dio.netty.leakDetection.level}.
     */
    private static void quietNettyLeakChecks() {
        if (System.getProperty(LEAK_DETECTION_LEVEL) == null) {
            System.setProperty(LEAK_DETECTION_LEVEL, "disabled");
        }
    }

    public static void main(String[] args) {
        LogFormat.choose(System.getenv(), args); // before anything makes a logger
        quietNettyLeakChecks();
        NodeConfig config;
        try {
            config = ConfigLoader.load(System.getenv(), args);
        } catch (ConfigException e) {
            System.err.println("relay: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        try {
            RelayNode node = RelayNode.start(config);
            onSigterm(node);
            Runtime.getRuntime().addShutdownHook(new Thread(node::close, "relay-shutdown")); // Ctrl-C: stop now
        } catch (RuntimeException e) {
            log.error("node {} could not start: {}", config.nodeId(), e.getMessage(), e);
            System.exit(1);
        }
    }
}
