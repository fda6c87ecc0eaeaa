package io.relay.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script kept in a resource file, run by EVALSHA. A Redis that restarted empty has forgotten
 * every script, so a NOSCRIPT answer falls back to EVAL once, which also loads it again.
 */
public final class LuaScript {
    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /**
     * Loads {@code /io/relay/lua/<name>.lua} from the class path, behind the {@code preludes} (files of
     * the same folder defining local functions that several scripts share), in the order given.
     */
    public static LuaScript load(String name, String... preludes) {
        StringBuilder source = new StringBuilder();
        for (String prelude : preludes) {
            source.append(resource(prelude));
        }
        return new LuaScript(name, source.append(resource(name)).toString());
    }

    private static String resource(String name) {
        String path = "/io/relay/lua/" + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script; the stage completes on the Lettuce event loop. */
    public <T> CompletionStage<T> run(RedisAsyncCommands<String, String> redis, ScriptOutputType type,
                                      String[] keys, String... args) {
        CompletionStage<T> first = redis.evalsha(sha, type, keys, args);
        return first.exceptionallyCompose(e -> isNoScript(e)
                ? redis.<T>eval(source, type, keys, args)
                : first);
    }

    public String name() {
        return name;
    }

    private static boolean isNoScript(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                ? e.getCause() : e;
        return cause instanceof RedisNoScriptException
                || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
    }

    private static String sha1(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
