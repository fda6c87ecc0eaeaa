package io.relay.node;

import java.util.Map;

/**
 * Picks the log format before Logback starts: logback.xml includes {@code io/relay/log/<format>.xml}
 * by the system property {@value #PROPERTY}. Logback configures itself on the first logger made
 * anywhere (ConfigLoader makes one), so this runs first thing in {@link Main}: even the first line
 * is in the chosen format.
 */
final class LogFormat {
    static final String PROPERTY = "relay.log.format";
    private static final String FLAG = "--log-format";

    private LogFormat() {
    }

    /**
     * Sets {@value #PROPERTY} to {@code json} when the {@code --log-format} flag (the last one wins,
     * as in ConfigLoader) or else {@code RELAY_LOG_FORMAT} says {@code json}, and to {@code text}
     * otherwise. A bad value logs as text; ConfigLoader then stops the node naming the variable.
     */
    static void choose(Map<String, String> env, String[] args) {
        String chosen = env == null ? null : env.get("RELAY_LOG_FORMAT");
        if (args != null) {
            for (int i = 0; i < args.length; i++) {
                if (args[i].startsWith(FLAG + "=")) {
                    chosen = args[i].substring(FLAG.length() + 1);
                } else if (args[i].equals(FLAG) && i + 1 < args.length) {
                    chosen = args[i + 1];
                }
            }
        }
        System.setProperty(PROPERTY, chosen != null && chosen.strip().equals("json") ? "json" : "text");
    }
}
