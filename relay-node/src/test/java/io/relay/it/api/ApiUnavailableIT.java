package io.relay.it.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Cluster;
import io.relay.testing.Http;
import io.relay.testing.LogCapture;
import io.relay.testing.Poll;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server API when Redis fails: every route answers 503 {@code unavailable}, at once when Redis
 * is gone and within the command timeout when it hangs, and the node serves again once Redis is
 * back. The failures are logged, never with the API key.
 */
class ApiUnavailableIT {
    private static final Duration REDIS_TIMEOUT = Duration.ofMillis(500);
    private static Cluster cluster;
    private static ApiClient api;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(1, config -> config.apiKey(ApiClient.KEY).redisTimeout(REDIS_TIMEOUT));
        api = ApiClient.withKey(i -> cluster.http(i, ""));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void aHungRedisIsUnavailableWithinTheCommandTimeout() {
        String room = Cluster.unique("hung");
        long pid = cluster.redis().pid();
        signal("STOP", pid);
        try {
            for (Route route : routes(room)) {
                long start = System.nanoTime();
                Http.Response answer = route.call();
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertUnavailable(route, answer);
                assertThat(took).as("%s answered after", route).isLessThan(REDIS_TIMEOUT.plusSeconds(2));
            }
        } finally {
            signal("CONT", pid);
        }
        awaitServing(room);
    }

    @Test
    void aStoppedRedisIsUnavailableAtOnceAndTheKeyIsNeverLogged() {
        String room = Cluster.unique("gone");
        List<String> lines;
        try (LogCapture capture = LogCapture.of("io.relay", "io.undertow")) {
            cluster.redis().stop();
            try {
                for (Route route : routes(room)) {
                    long start = System.nanoTime();
                    Http.Response answer = route.call();
                    assertUnavailable(route, answer);
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("%s answered after", route)
                            .isLessThan(Duration.ofSeconds(2));
                }
                api.authorization("Bearer wrong-" + ApiClient.KEY).get(0, "/api/rooms/" + room + "/presence");
                lines = capture.lines();
            } finally {
                cluster.redis().restart();
            }
        }
        assertThat(lines).as("the failures were logged").anyMatch(line -> line.contains("server API publish failed"));
        assertThat(lines).noneMatch(line -> line.contains(ApiClient.KEY));
        awaitServing(room);
    }

    private record Route(String method, String path, String body) {
        Http.Response call() {
            return api.send(0, method, path, body == null ? null : body.getBytes());
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static List<Route> routes(String room) {
        return List.of(new Route("POST", "/api/rooms/" + room + "/publish", "{\"n\":1}"),
                new Route("GET", "/api/rooms/" + room + "/presence", null),
                new Route("GET", "/api/rooms/" + room + "/history", null),
                new Route("POST", "/api/users/u-" + room + "/send", "{\"n\":1}"),
                new Route("DELETE", "/api/users/u-" + room + "/connections", null));
    }

    private static void assertUnavailable(Route route, Http.Response answer) {
        assertThat(answer.status()).as("%s: %s", route, answer).isEqualTo(503);
        assertThat(answer.json().path("error").asText()).isEqualTo("unavailable");
    }

    private static void awaitServing(String room) {
        Poll.until(Duration.ofSeconds(15), () -> api.post(0, "/api/rooms/" + room + "/publish", "{}").status(),
                status -> status == 200, "the API to publish again once Redis is back");
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
