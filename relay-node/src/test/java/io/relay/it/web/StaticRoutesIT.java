package io.relay.it.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Cluster;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo page and the JS client are served from the jar with the right types and validators. */
class StaticRoutesIT {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void theDemoPageIsHtmlThatLoadsItsScriptAndStyle() {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(header(page, "content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(page.body()).startsWith("<!doctype html>")
                .contains("src=\"/demo/demo.js\"", "href=\"/demo/demo.css\"", "data-testid=\"status\"");
        assertThat(header(page, "content-security-policy")).contains("default-src 'self'", "connect-src 'self' ws: wss:");
        assertThat(get("/demo/demo.js").body()).contains("from '/client/relay.js'");
        assertThat(header(get("/demo/demo.css"), "content-type")).isEqualTo("text/css; charset=utf-8");
    }

    @Test
    void theClientIsTheModuleInTheJarServedAsJavaScript() throws IOException {
        HttpResponse<String> js = get("/client/relay.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(header(js, "content-type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(header(js, "x-content-type-options")).isEqualTo("nosniff");
        assertThat(js.body()).isEqualTo(resource("web/relay.js")).contains("export class Relay");
    }

    @Test
    void browsersRevalidateAndGetA304WhileTheFileIsUnchanged() {
        HttpResponse<String> first = get("/client/relay.js");
        String etag = header(first, "etag");
        assertThat(etag).matches("\"[A-Za-z0-9_-]{22}\"");
        assertThat(header(first, "cache-control")).isEqualTo("no-cache");

        HttpResponse<String> again = get("/client/relay.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(header(again, "etag")).isEqualTo(etag);
        assertThat(get("/client/relay.js", "If-None-Match", "\"stale\"").statusCode()).isEqualTo(200);
        assertThat(header(get("/"), "etag")).isNotEqualTo(etag);
    }

    @Test
    void headAnswersTheHeadersWithoutTheBody() {
        HttpResponse<String> head = send(HttpRequest.newBuilder(cluster.http(0, "/client/relay.js"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "content-length"))
                .isEqualTo(String.valueOf(get("/client/relay.js").body().getBytes(StandardCharsets.UTF_8).length));
    }

    @Test
    void onlyTheListedFilesAreServed() {
        for (String path : new String[] {"/index.html", "/relay.js", "/client/relay.js.map", "/demo/", "/web/relay.js",
                "/client/%2e%2e/index.html", "/logback.xml"}) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).contains("not_found");
        }
    }

    private static HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.http(0, path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = StaticRoutesIT.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
