package io.relay.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * HS256 tokens for tests, made with java-jwt directly so the tests do not depend on the node's own
 * minter. Besides good tokens it makes the bad ones a test needs: expired, wrongly signed,
 * {@code alg: none}, without {@code sub}.
 */
public final class Tokens {
    /** How far in the past an expired token's {@code exp} lies: well beyond the 5 s leeway. */
    private static final Duration EXPIRED_SINCE = Duration.ofMinutes(2);

    private final String secret;

    public Tokens(String secret) {
        this.secret = secret;
    }

    /** A token for {@code user} valid for {@code ttl}; {@code name} may be null (no claim). */
    public String mint(String user, String name, Duration ttl) {
        return sign(base(user, name, Instant.now().plus(ttl)), secret);
    }

    /** As {@link #mint(String, String, Duration)}, with a {@code rooms} claim. */
    public String mint(String user, String name, Duration ttl, List<String> rooms) {
        return sign(base(user, name, Instant.now().plus(ttl)).withClaim("rooms", rooms), secret);
    }

    /** A token valid for an hour. */
    public String mint(String user, String name) {
        return mint(user, name, Duration.ofHours(1));
    }

    /** A correctly signed token whose {@code exp} passed two minutes ago. */
    public String expired(String user, String name) {
        return sign(base(user, name, Instant.now().minus(EXPIRED_SINCE))
                .withIssuedAt(Instant.now().minus(EXPIRED_SINCE.multipliedBy(2))), secret);
    }

    /** A well-formed token signed with another secret. */
    public String wrongSecret(String user, String name) {
        return sign(base(user, name, Instant.now().plus(Duration.ofHours(1))),
                "not-the-cluster-secret-0123456789abcdef");
    }

    /** A correctly signed token without {@code sub}. */
    public String withoutSubject(String name) {
        return sign(JWT.create().withClaim("name", name).withExpiresAt(Instant.now().plus(Duration.ofHours(1))),
                secret);
    }

    /** An unsigned token ({@code alg: none}) that would otherwise be valid. */
    public String algNone(String user, String name) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long exp = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        String payload = b64.encodeToString(("{\"sub\":\"" + user + "\",\"name\":\"" + name + "\",\"exp\":" + exp + "}")
                .getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }

    /** The {@code exp} claim of a token, in epoch seconds. */
    public static long expiresAt(String token) {
        return JWT.decode(token).getExpiresAtAsInstant().getEpochSecond();
    }

    private static JWTCreator.Builder base(String user, String name, Instant exp) {
        JWTCreator.Builder b = JWT.create().withSubject(user).withExpiresAt(exp);
        return name == null ? b : b.withClaim("name", name);
    }

    private static String sign(JWTCreator.Builder builder, String secret) {
        return builder.sign(Algorithm.HMAC256(secret));
    }
}
