package io.relay.config;

/**
 * A configuration the node cannot start with. The message names the variable and its flag
 * ({@code RELAY_PORT (--port) must be ...}) and never quotes a secret, so it can be printed as is.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
