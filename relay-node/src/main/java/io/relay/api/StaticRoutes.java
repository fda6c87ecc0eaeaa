package io.relay.api;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;

/**
 * The demo page ({@code GET /}) and the JS client ({@code GET /client/relay.js}), with the demo's
 * script and style. Read from the classpath ({@code web/}) once, at start: a request never touches
 * the disk and never blocks the I/O thread. Only the paths listed here are served, so no request
 * path is ever turned into a resource name.
 * <p>
 * Each answer carries a strong ETag and {@code Cache-Control: no-cache}: browsers revalidate (a
 * cheap 304) and so always run the client of the node they talk to, even after an upgrade.
 */
public final class StaticRoutes {
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JS = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";
    /** The page loads only its own script, style and WebSocket, so an injected script cannot run. */
    private static final String PAGE_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** A file under {@code web/} on the classpath, and its content type. */
    private record Source(String resource, String contentType) {
    }

    /** Route path → file. */
    private static final Map<String, Source> FILES = Map.of(
            "/", new Source("index.html", HTML),
            "/client/relay.js", new Source("relay.js", JS),
            "/demo/demo.js", new Source("demo/demo.js", JS),
            "/demo/demo.css", new Source("demo/demo.css", CSS));

    private StaticRoutes() {
    }

    /** Loads every file (throws if one is missing from the jar: a packaging bug) and adds GET and HEAD routes. */
    public static void register(RoutingHandler routes) {
        FILES.forEach((path, source) -> {
            Asset asset = Asset.load(source);
            routes.add(Methods.GET, path, asset::serve);
            routes.add(Methods.HEAD, path, asset::serve);
        });
    }

    /** One file, held in memory with its validator. */
    private record Asset(byte[] body, String contentType, String etag, boolean page) {
        static Asset load(Source source) {
            byte[] body = read("web/" + source.resource());
            return new Asset(body, source.contentType(), entityTag(body), source.contentType().equals(HTML));
        }

        void serve(HttpServerExchange exchange) {
            var headers = exchange.getResponseHeaders();
            headers.put(Headers.ETAG, etag);
            headers.put(Headers.CACHE_CONTROL, "no-cache");
            headers.put(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff");
            if (page) {
                headers.put(Headers.CONTENT_SECURITY_POLICY, PAGE_POLICY);
                headers.put(Headers.REFERRER_POLICY, "no-referrer");
            }
            if (matches(exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH))) {
                exchange.setStatusCode(304);
                exchange.endExchange();
                return;
            }
            headers.put(Headers.CONTENT_TYPE, contentType);
            headers.put(Headers.CONTENT_LENGTH, body.length);
            if (exchange.getRequestMethod().equals(Methods.HEAD)) {
                exchange.endExchange();
            } else {
                exchange.getResponseSender().send(ByteBuffer.wrap(body));
            }
        }

        /** {@code If-None-Match}: a list of tags (weak ones compare by their opaque part) or {@code *}. */
        private boolean matches(String ifNoneMatch) {
            if (ifNoneMatch == null) {
                return false;
            }
            for (String tag : ifNoneMatch.split(",")) {
                String t = tag.strip();
                if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = StaticRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading resource " + resource, e);
        }
    }

    private static String entityTag(byte[] body) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
