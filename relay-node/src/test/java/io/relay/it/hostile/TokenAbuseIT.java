package io.relay.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.relay.testing.Cluster;
import io.relay.testing.Connector.TokenPlacement;
import io.relay.testing.Frames;
import io.relay.testing.HostileBystander;
import io.relay.testing.HostileSocket;
import io.relay.testing.HostileSocket.Response;
import io.relay.testing.Json;
import io.relay.testing.TestClient;
import io.relay.testing.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, tokens (RELIABILITY.md S-1..S-5): against a node verifying RS256 with a public key file
 * and requiring audience {@code relay}, {@code alg: none}, an HS256 token signed with the public
 * key's bytes (algorithm confusion), an expired token and a wrong or missing audience are refused
 * with 401 in every token place. During a connection (an HS256 node): a {@code refresh} for another
 * {@code sub} is {@code forbidden} and the connection is still closed with 4001 at its original
 * {@code exp}; the {@code rooms} claim of the current token is checked on every {@code join}.
 * (Tokens in logs: {@link TokenLogsIT}.)
 */
class TokenAbuseIT {
    private static final String AUDIENCE = "relay";
    private static final Duration SHORT_TTL = Duration.ofSeconds(3);
    /** exp (at most SHORT_TTL away) + 5 s leeway + 5 s to notice, with slack for a busy machine. */
    private static final Duration EXPIRES_WITHIN = SHORT_TTL.plusSeconds(5 + 5 + 4);
    private static final Duration BYSTANDER_P99 = Duration.ofMillis(500);

    @TempDir
    static Path keys;

    private static KeyPair rsa;
    /** Another RSA key, made up front: making one takes a second of CPU that the bystanders would feel. */
    private static KeyPair otherRsa;
    private static String pem;
    private static Cluster rsNode;
    private static Cluster hsNode;

    @BeforeAll
    static void startClusters() throws IOException {
        rsa = rsaKeyPair();
        otherRsa = rsaKeyPair();
        pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(rsa.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Path file = keys.resolve("relay-rs256.pem");
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        rsNode = Cluster.start(1, b -> b.jwtSecret(null).jwtPublicKey(file).jwtAudience(AUDIENCE));
        hsNode = Cluster.start(1);
    }

    @AfterAll
    static void stopClusters() {
        try {
            if (rsNode != null) {
                rsNode.close();
            }
        } finally {
            if (hsNode != null) {
                hsNode.close();
            }
        }
    }

    @AfterEach
    void closeClients() {
        rsNode.closeClients();
        hsNode.closeClients();
    }

    // ---------------------------------------------------------------- 401 before the upgrade

    @Test
    void algNoneIsRefusedWith401() {
        try (HostileBystander bystander = rsBystander()) {
            int mark = bystander.mark();
            String user = Cluster.unique("nobody");
            for (String alg : List.of("none", "None", "NONE", "nOnE")) {
                String claims = "{\"sub\":\"" + user + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":"
                        + Instant.now().plusSeconds(3600).getEpochSecond() + "}";
                String unsigned = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims) + ".";
                assertRefused(unsigned, "alg " + alg);
                assertRefused(unsigned + b64("sig"), "alg " + alg + " with a signature part");
            }
            System.out.println("TokenAbuseIT alg none: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void hs256SignedWithTheRsaPublicKeyIsRefusedWith401() {
        try (HostileBystander bystander = rsBystander()) {
            int mark = bystander.mark();
            String user = Cluster.unique("confused");
            Map<String, byte[]> secrets = new LinkedHashMap<>();
            secrets.put("the PEM text", pem.getBytes(StandardCharsets.US_ASCII));
            secrets.put("the PEM text without its last newline", pem.strip().getBytes(StandardCharsets.US_ASCII));
            secrets.put("the DER bytes", rsa.getPublic().getEncoded());
            for (Map.Entry<String, byte[]> secret : secrets.entrySet()) {
                assertRefused(claims(user).sign(Algorithm.HMAC256(secret.getValue())), "HS256 keyed with " + secret.getKey());
                assertRefused(claims(user).sign(Algorithm.HMAC512(secret.getValue())), "HS512 keyed with " + secret.getKey());
            }
            assertRefused(claims(user).sign(Algorithm.RSA256(null, (RSAPrivateKey) otherRsa.getPrivate())),
                    "RS256 signed by another key");
            System.out.println("TokenAbuseIT HS/RS confusion: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void anExpiredTokenIsRefusedWith401() {
        try (HostileBystander bystander = rsBystander()) {
            int mark = bystander.mark();
            String user = Cluster.unique("late");
            Instant now = Instant.now();
            assertRefused(JWT.create().withSubject(user).withAudience(AUDIENCE).withIssuedAt(now.minusSeconds(600))
                    .withExpiresAt(now.minusSeconds(60)).sign(rs256()), "expired a minute ago");
            assertRefused(JWT.create().withSubject(user).withAudience(AUDIENCE).withNotBefore(now.plusSeconds(600))
                    .withExpiresAt(now.plusSeconds(1200)).sign(rs256()), "not valid for ten minutes");
            assertRefused(JWT.create().withSubject(user).withAudience(AUDIENCE).sign(rs256()), "without exp");
            System.out.println("TokenAbuseIT expired: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void aWrongOrMissingAudienceIsRefusedWith401() {
        try (HostileBystander bystander = rsBystander()) {
            int mark = bystander.mark();
            String user = Cluster.unique("stranger");
            Instant exp = Instant.now().plusSeconds(3600);
            assertRefused(JWT.create().withSubject(user).withAudience("other").withExpiresAt(exp).sign(rs256()),
                    "audience 'other'");
            assertRefused(JWT.create().withSubject(user).withAudience("relay-admin").withExpiresAt(exp).sign(rs256()),
                    "audience 'relay-admin'");
            assertRefused(JWT.create().withSubject(user).withExpiresAt(exp).sign(rs256()), "no audience");
            // the same token with the right audience is served: the refusals were about the audience
            TestClient good = rsNode.track(rsNode.client(0, user).token(rsToken(user)).connect());
            good.ping();
            System.out.println("TokenAbuseIT audience: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    // ---------------------------------------------------------------- during the connection

    @Test
    void aRefreshForAnotherSubIsForbiddenAndTheConnectionStillExpiresWith4001() {
        try (HostileBystander bystander = HostileBystander.on(hsNode, 0)) {
            int mark = bystander.mark();
            String user = Cluster.unique("borrower");
            String room = Cluster.unique("borrowed");
            String token = hsNode.tokens().mint(user, "Borrower", SHORT_TTL);
            long exp = Tokens.expiresAt(token);
            TestClient client = hsNode.track(hsNode.client(0, user).token(token).connect());
            TestClient watcher = hsNode.connect(0, "watcher-" + room, "Watcher");
            watcher.join(room);
            client.join(room);

            String victim = Cluster.unique("victim");
            JsonNode reply = client.request(Json.obj("type", "refresh", "id", "steal",
                    "token", hsNode.tokens().mint(victim, "Victim", Duration.ofHours(1))));
            assertThat(reply.path("type").asText()).as("reply %s", reply).isEqualTo("error");
            assertThat(reply.path("code").asText()).as("reply %s", reply).isEqualTo("forbidden");
            assertThat(reply.path("id").asText()).isEqualTo("steal");

            client.publish(room, "still me");
            JsonNode message = watcher.await(Frames.message(room));
            assertThat(message.path("from").path("id").asText()).as("sender after the refused refresh").isEqualTo(user);

            int code = client.closeCode(EXPIRES_WITHIN);
            long closedAt = System.currentTimeMillis();
            assertThat(code).as("close code of the connection at its original exp").isEqualTo(4001);
            assertThat(closedAt).as("closed after the original exp (%d)", exp).isGreaterThanOrEqualTo(exp * 1000);
            System.out.printf("TokenAbuseIT: closed 4001 %d ms after the original exp%n", closedAt - exp * 1000);
            System.out.println("TokenAbuseIT refresh: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    @Test
    void theRoomsClaimOfTheCurrentTokenIsCheckedOnEveryJoin() {
        try (HostileBystander bystander = HostileBystander.on(hsNode, 0)) {
            int mark = bystander.mark();
            String tag = Cluster.unique("claims");
            String user = "member-" + tag;
            String team = "team-" + tag;
            String other = "other-" + tag;
            TestClient client = hsNode.track(hsNode.client(0, user)
                    .token(hsNode.tokens().mint(user, "M", Duration.ofHours(1), List.of("team-*"))).connect());
            client.join(team);
            assertForbidden(client, other);
            client.leave(team);

            JsonNode refreshed = client.request(Json.obj("type", "refresh", "id", "r1",
                    "token", hsNode.tokens().mint(user, "M", Duration.ofHours(1), List.of(other))));
            client.expectType(refreshed, "refreshed");
            assertForbidden(client, team); // allowed before, and joined: checked again, by the new claim
            client.join(other);

            client.expectType(client.request(Json.obj("type", "refresh", "id", "r2",
                    "token", hsNode.tokens().mint(user, "M", Duration.ofHours(1), List.of()))), "refreshed");
            assertForbidden(client, team);
            assertForbidden(client, "anything-" + tag);

            client.expectType(client.request(Json.obj("type", "refresh", "id", "r3",
                    "token", hsNode.tokens().mint(user, "M", Duration.ofHours(1)))), "refreshed");
            client.join(team);
            client.join("anything-" + tag);
            System.out.println("TokenAbuseIT rooms claim: bystanders " + bystander.finish(mark, BYSTANDER_P99));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void assertForbidden(TestClient client, String room) {
        JsonNode reply = client.request(Json.obj("type", "join", "id", "j-" + room, "room", room));
        assertThat(reply.path("code").asText()).as("join %s: %s", room, reply).isEqualTo("forbidden");
    }

    /** 401 with the token in each of the three places, the body never echoing it. */
    private static void assertRefused(String token, String what) {
        for (TokenPlacement placement : TokenPlacement.values()) {
            HostileSocket.Builder attempt = HostileSocket.to(rsNode.wsBase(0)).label(what);
            switch (placement) {
                case BEARER -> attempt.header("Authorization", "Bearer " + token);
                case HEADER -> attempt.token(token);
                case QUERY -> attempt.queryToken(token);
            }
            Response response = attempt.attempt();
            assertThat(response.status()).as("%s in %s: %s", what, placement, response).isEqualTo(401);
            assertThat(response.json().path("error").asText()).as("%s: %s", what, response).isEqualTo("unauthorized");
            assertThat(response.body()).as("%s: the body never echoes the token", what)
                    .doesNotContain(token.substring(token.indexOf('.') + 1));
        }
    }

    private static HostileBystander rsBystander() {
        return HostileBystander.start(rsNode.wsBase(0), TokenAbuseIT::rsToken);
    }

    private static String rsToken(String user) {
        return claims(user).sign(rs256());
    }

    private static JWTCreator.Builder claims(String user) {
        return JWT.create().withSubject(user).withClaim("name", "User " + user).withAudience(AUDIENCE)
                .withExpiresAt(Instant.now().plusSeconds(3600));
    }

    private static Algorithm rs256() {
        return Algorithm.RSA256((RSAPublicKey) rsa.getPublic(), (RSAPrivateKey) rsa.getPrivate());
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
