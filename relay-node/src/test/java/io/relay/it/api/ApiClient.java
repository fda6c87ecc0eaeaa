package io.relay.it.api;

import io.relay.testing.Http;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Calls a node's server API over real HTTP: {@code java.net.http} for ordinary requests, and a raw
 * socket for bodies a well-behaved client would not send (a declared length without the body, a
 * chunked body that never ends).
 */
final class ApiClient {
    static final String KEY = "api-key-for-tests-7f3a9c";
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final IntFunction<URI> base;
    private final String authorization;

    private ApiClient(IntFunction<URI> base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** A client of the nodes whose {@code http://host:port} {@code base} gives by index, with the test key. */
    static ApiClient withKey(IntFunction<URI> base) {
        return new ApiClient(base, "Bearer " + KEY);
    }

    /** The same nodes with another {@code Authorization} header (null: none). */
    ApiClient authorization(String header) {
        return new ApiClient(base, header);
    }

    Http.Response post(int node, String path, String body) {
        return send(node, "POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    Http.Response get(int node, String path) {
        return send(node, "GET", path, null);
    }

    Http.Response delete(int node, String path) {
        return send(node, "DELETE", path, null);
    }

    /** Any method, with {@code body} bytes (null: none). */
    Http.Response send(int node, String method, String path, byte[] body) {
        HttpResponse<String> response = exchange(node, method, path, body);
        return new Http.Response(response.statusCode(), response.body());
    }

    /** As {@link #send}, keeping the answer's headers. */
    HttpResponse<String> exchange(int node, String method, String path, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.apply(node).resolve(path)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + method + " " + path, e);
        }
    }

    /**
     * Writes a POST head with {@code extraHeaders} (CRLF-terminated lines) and then {@code body}
     * (maybe partial, maybe nothing), and reads the answer's status line and body without sending
     * anything more: an answer that comes proves the server did not wait for the rest.
     */
    RawAnswer rawPost(int node, String path, String extraHeaders, byte[] body) {
        return rawPost(node, path, extraHeaders, List.of(body), Duration.ZERO);
    }

    /** As above, writing the body in {@code parts} with {@code pause} between them (a slow client). */
    RawAnswer rawPost(int node, String path, String extraHeaders, List<byte[]> parts, Duration pause) {
        URI uri = base.apply(node);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + extraHeaders + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (byte[] part : parts) {
                pause(pause);
                out.write(part);
                out.flush();
            }
            return RawAnswer.read(socket.getInputStream());
        } catch (IOException e) {
            throw new AssertionError("raw POST " + path + " failed: " + e, e);
        }
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis()); // the point: the body is late, the server must not wait on a thread for it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A status line and whatever followed it until the server closed or stopped sending. */
    record RawAnswer(int status, String text) {
        static RawAnswer read(InputStream in) throws IOException {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    seen.write(buffer, 0, n);
                    if (complete(seen.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                // nothing more came: judge what did
            }
            String text = seen.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) {
                throw new AssertionError("no HTTP answer, got: " + text);
            }
            return new RawAnswer(Integer.parseInt(text.substring(9, 12)), text);
        }

        /** The head has arrived and the body of its {@code Content-Length} too. */
        private static boolean complete(String text) {
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return false;
            }
            String head = text.substring(0, end).toLowerCase(Locale.ROOT);
            int at = head.indexOf("content-length:");
            if (at < 0) {
                return true;
            }
            int eol = head.indexOf("\r\n", at);
            int length = Integer.parseInt(head.substring(at + 15, eol < 0 ? head.length() : eol).strip());
            return text.length() - end - 4 >= length;
        }
    }
}
