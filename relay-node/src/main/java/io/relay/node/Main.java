package io.relay.node;

import io.relay.config.ConfigException;
import io.relay.config.ConfigLoader;
import io.relay.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar relay-node.jar [--flags]}: configuration from the environment and flags. */
public final class Main {
    private Main() {
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
            Runtime.getRuntime().addShutdownHook(new Thread(node::close, "relay-shutdown"));
        } catch (RuntimeException e) {
            log.error("node {} could not start: {}", config.nodeId(), e.getMessage(), e);
            System.exit(1);
        }
    }
}
