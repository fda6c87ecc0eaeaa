package io.relay.node;

import io.relay.config.ConfigException;
import io.relay.config.ConfigLoader;
import io.relay.config.NodeConfig;
import org.slf4j.Logger;
import sun.misc.Signal;
import org.slf4j.LoggerFactory;

/** {@code java -jar relay-node.jar [--flags]}: configuration from the environment and flags. */
public final class Main {
    private Main() {
    }

    /** SIGTERM (an orchestrator stopping the node) drains it, then exits with 0. */
    private static void onSigterm(RelayNode node) {
        Signal.handle(new Signal("TERM"), signal -> new Thread(() -> {
            node.drainAndClose();
            System.exit(0);
        }, "relay-drain").start());
    }

    public static void main(String[] args) {
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
