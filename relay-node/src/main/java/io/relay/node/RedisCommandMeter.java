package io.relay.node;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.event.command.CommandFailedEvent;
import io.lettuce.core.event.command.CommandListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Counts Redis commands that failed, on every connection of the client it is added to (before
 * connecting: Lettuce wraps the commands of connections made afterwards): timeouts
 * ({@code relay_redis_timeouts_total}) apart from every other failure ({@code relay_redis_errors_total}:
 * error replies, commands refused while disconnected, commands cut off by a lost connection). A
 * NOSCRIPT reply is not counted: LuaScript answers it by loading the script. Called on the Lettuce
 * event loop: counting only.
 */
final class RedisCommandMeter implements CommandListener {
    private final Counter timeouts;
    private final Counter errors;

    RedisCommandMeter(MeterRegistry registry) {
        timeouts = Counter.builder("relay.redis.timeouts")
                .description("Redis commands that timed out (RELAY_REDIS_TIMEOUT)").register(registry);
        errors = Counter.builder("relay.redis.errors")
                .description("Redis commands that failed other than by timing out").register(registry);
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        Throwable cause = unwrap(event.getCause());
        if (cause instanceof RedisCommandTimeoutException) {
            timeouts.increment();
        } else if (!(cause instanceof RedisNoScriptException)) {
            errors.increment();
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
