package io.relay.it.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Cluster;
import io.relay.testing.Frames;
import io.relay.testing.Http;
import io.relay.testing.TestClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the server API refuses, route by route: a missing or wrong key (401), every route when no
 * key is configured (404), malformed bodies and names (400), bodies over the frame limit (413, while
 * reading), unknown routes and wrong methods (404, 405). Nothing refused reaches a client.
 */
class ApiGuardsIT {
    private static final int LIMIT = 4096;
    private static Cluster keyed;
    private static Cluster keyless;
    private static ApiClient api;

    /** One call per route: method, path, body (null: none). */
    private record Route(String method, String path, String body) {
        Http.Response call(ApiClient client, int node) {
            return client.send(node, method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        }
    }

    @BeforeAll
    static void startClusters() {
        keyed = Cluster.start(1, config -> config.apiKey(ApiClient.KEY).maxFrameBytes(LIMIT));
        keyless = Cluster.start(1);
        api = ApiClient.withKey(i -> keyed.http(i, ""));
    }

    @AfterAll
    static void stopClusters() {
        try {
            keyed.close();
        } finally {
            keyless.close();
        }
    }

    @AfterEach
    void closeClients() {
        keyed.closeClients();
    }

    @Test
    void everyRouteAnswersWithTheRightKeyAndRefusesAMissingOrWrongOne() {
        String room = Cluster.unique("guarded");
        TestClient member = keyed.connect(0, Cluster.unique("ann"), "Ann");
        member.join(room);
        List<Route> routes = routes(room, member.welcome().path("user").path("id").asText());
        List<String> refused = List.of("", "Bearer ", "Bearer wrong", "Bearer " + ApiClient.KEY + "x",
                "Bearer " + ApiClient.KEY.toUpperCase(), "Basic " + ApiClient.KEY, ApiClient.KEY);

        for (Route route : routes) {
            for (String header : refused) {
                Http.Response answer = route.call(api.authorization(header.isEmpty() ? null : header), 0);
                assertThat(answer.status()).as("%s %s with '%s': %s", route.method(), route.path(), header, answer)
                        .isEqualTo(401);
                assertThat(answer.json().path("error").asText()).isEqualTo("unauthorized");
            }
        }
        member.assertNoFrame(f -> Frames.message(room).test(f) || Frames.type("direct").test(f), Duration.ofMillis(300));
        assertThat(member.isClosed()).as("no refused disconnect went through").isFalse();

        for (Route route : routes) {
            Http.Response answer = route.call(api, 0);
            assertThat(answer.status()).as("%s %s: %s", route.method(), route.path(), answer).isBetween(200, 202);
        }
        assertThat(api.authorization("bearer " + ApiClient.KEY).get(0, "/api/rooms/" + room + "/presence").status())
                .as("the scheme is case-insensitive").isEqualTo(200);
        HttpResponse<String> unauthorized = api.authorization(null).exchange(0, "GET", "/api/rooms/" + room + "/presence", null);
        assertThat(unauthorized.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(unauthorized.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void withoutAConfiguredKeyEveryRouteIsNotFound() {
        ApiClient keylessApi = ApiClient.withKey(i -> keyless.http(i, ""));
        for (Route route : routes(Cluster.unique("room"), Cluster.unique("user"))) {
            for (ApiClient client : List.of(keylessApi, keylessApi.authorization(null),
                    keylessApi.authorization("Bearer "))) {
                Http.Response answer = route.call(client, 0);
                assertThat(answer.status()).as("%s %s: %s", route.method(), route.path(), answer).isEqualTo(404);
            }
        }
    }

    @Test
    void malformedBodiesAreRefusedAndNothingIsPublished() {
        String room = Cluster.unique("strict");
        String bob = Cluster.unique("bob");
        TestClient member = keyed.connect(0, bob, "Bob");
        member.join(room);
        List<byte[]> bodies = new ArrayList<>();
        for (String body : List.of("", "   ", "{\"a\":", "{\"a\":1}{\"b\":2}", "{\"a\":1,\"a\":2}", "hello", "[1,]",
                "NaN", "[".repeat(40) + "]".repeat(40), "{'a':1}")) {
            bodies.add(body.getBytes(StandardCharsets.UTF_8));
        }
        bodies.add(new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'}); // not UTF-8

        for (String path : List.of("/api/rooms/" + room + "/publish", "/api/users/" + bob + "/send")) {
            for (byte[] body : bodies) {
                Http.Response answer = api.send(0, "POST", path, body);
                assertThat(answer.status()).as("%s with %s: %s", path, Arrays.toString(body), answer).isEqualTo(400);
                assertThat(answer.json().path("error").asText()).isEqualTo("bad_request");
                assertThat(answer.json().path("message").asText()).isNotBlank();
            }
        }
        member.assertNoFrame(f -> Frames.message(room).test(f) || Frames.type("direct").test(f),
                Duration.ofMillis(300));
    }

    @Test
    void invalidRoomNamesAndUserIdsAreRefused() {
        String long129 = "r".repeat(129);
        for (String name : List.of("a%20b", "%7Bx%7D", "a*", "caf%C3%A9", long129, "a%2Fb", "a%00b")) {
            for (Route route : routes(name, name)) {
                Http.Response answer = route.call(api, 0);
                assertThat(answer.status()).as("%s %s: %s", route.method(), route.path(), answer).isEqualTo(400);
                assertThat(answer.json().path("error").asText()).isIn("invalid_room", "bad_request");
                assertThat(answer.json().path("message").asText()).isNotBlank();
            }
        }
    }

    @Test
    void bodiesOverTheFrameLimitAreRefusedWhileReading() {
        String room = Cluster.unique("big");
        String bob = Cluster.unique("bob");
        TestClient member = keyed.connect(0, bob, "Bob");
        member.join(room);
        String atLimit = "\"" + "x".repeat(LIMIT - 2) + "\"";
        String overLimit = "\"" + "x".repeat(LIMIT - 1) + "\"";

        for (String path : List.of("/api/rooms/" + room + "/publish", "/api/users/" + bob + "/send")) {
            assertThat(api.post(0, path, atLimit).status()).as("%s at the limit", path).isEqualTo(200);
            Http.Response answer = api.post(0, path, overLimit);
            assertThat(answer.status()).as("%s one byte over: %s", path, answer).isEqualTo(413);
            assertThat(answer.json().path("error").asText()).isEqualTo("too_large");

            ApiClient.RawAnswer declared = api.rawPost(0, path, "Content-Length: 10000000000\r\n", new byte[0]);
            assertThat(declared.status()).as("a declared 10 GB body, none of it sent: %s", declared.text())
                    .isEqualTo(413);
            assertThat(declared.text().toLowerCase(Locale.ROOT)).as("the rest is not drained").contains("connection: close");
            byte[] chunk = ("1000\r\n" + "x".repeat(0x1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] chunks = new byte[chunk.length * 3];
            for (int i = 0; i < 3; i++) {
                System.arraycopy(chunk, 0, chunks, i * chunk.length, chunk.length);
            }
            ApiClient.RawAnswer chunked = api.rawPost(0, path, "Transfer-Encoding: chunked\r\n", chunks);
            assertThat(chunked.status()).as("a chunked body past the limit that never ends: %s", chunked.text())
                    .isEqualTo(413);
        }
        member.await(Frames.message(room));
        member.await(Frames.type("direct"));
        member.assertNoFrame(f -> Frames.message(room).test(f) || Frames.type("direct").test(f),
                Duration.ofMillis(300));
    }

    @Test
    void aBodyThatArrivesInPartsIsReadAsItComes() {
        String room = Cluster.unique("slow");
        TestClient member = keyed.connect(0, Cluster.unique("ann"), "Ann");
        member.join(room);
        List<byte[]> parts = List.of("{\"te".getBytes(StandardCharsets.US_ASCII),
                "xt\":\"late\"}".getBytes(StandardCharsets.US_ASCII));
        String path = "/api/rooms/" + room + "/publish";

        ApiClient.RawAnswer answer = api.rawPost(0, path, "Content-Length: 15\r\n", parts, Duration.ofMillis(300));

        assertThat(answer.status()).as("answer %s", answer.text()).isEqualTo(200);
        assertThat(member.await(Frames.message(room)).path("data").path("text").asText()).isEqualTo("late");
    }

    @Test
    void unknownRoutesAreNotFoundAndWrongMethodsNotAllowed() {
        String room = Cluster.unique("r");
        for (String path : List.of("/api/rooms/" + room + "/nope", "/api/users/u/publish", "/api/rooms/" + room,
                "/api/things/x/publish", "/api")) {
            assertThat(api.get(0, path).status()).as("GET %s", path).isEqualTo(404);
        }
        for (Route route : List.of(new Route("GET", "/api/rooms/" + room + "/publish", null),
                new Route("PUT", "/api/users/u/send", "{}"), new Route("POST", "/api/rooms/" + room + "/presence", "{}"),
                new Route("DELETE", "/api/rooms/" + room + "/history", null),
                new Route("GET", "/api/users/u/connections", null))) {
            Http.Response answer = route.call(api, 0);
            assertThat(answer.status()).as("%s %s: %s", route.method(), route.path(), answer).isEqualTo(405);
            assertThat(answer.json().path("error").asText()).isEqualTo("method_not_allowed");
        }
        HttpResponse<String> wrong = api.exchange(0, "GET", "/api/users/u/connections", null);
        assertThat(wrong.headers().firstValue("Allow")).hasValue("DELETE");
    }

    private static List<Route> routes(String room, String user) {
        return List.of(new Route("POST", "/api/rooms/" + room + "/publish", "{\"n\":1}"),
                new Route("GET", "/api/rooms/" + room + "/presence", null),
                new Route("GET", "/api/rooms/" + room + "/history?limit=5", null),
                new Route("POST", "/api/users/" + user + "/send", "{\"n\":1}"),
                new Route("DELETE", "/api/users/" + user + "/connections", null));
    }
}
