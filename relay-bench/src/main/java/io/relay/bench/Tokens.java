package io.relay.bench;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** HS256 tokens for bench users: {@code sub}, {@code iat}, {@code exp} = now + 1 day, optional iss/aud. */
public final class Tokens {
    private static final Duration TTL = Duration.ofDays(1);

    private final Algorithm algorithm;
    private final String issuer;
    private final String audience;

    public Tokens(String secret, String issuer, String audience) {
        this.algorithm = Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8));
        this.issuer = issuer;
        this.audience = audience;
    }

    public String token(String user) {
        Instant now = Instant.now();
        JWTCreator.Builder b = JWT.create().withSubject(user).withIssuedAt(now).withExpiresAt(now.plus(TTL));
        if (issuer != null) {
            b.withIssuer(issuer);
        }
        if (audience != null) {
            b.withAudience(audience);
        }
        return b.sign(algorithm);
    }
}
