package io.relay.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Mints HS256 tokens that a {@link TokenVerifier} with the same secret accepts: for development
 * mode ({@code /dev/token}, the demo token printed at startup) and tests. Production tokens come
 * from the application's own auth server. Thread-safe.
 */
public final class TokenMinter {
    private final Algorithm algorithm;
    private final Clock clock;
    private final String issuer;
    private final String audience;

    public TokenMinter(String secret) {
        this(secret, null, null);
    }

    /** Tokens that also carry {@code iss} and {@code aud} (each left out when null), as a verifier may demand. */
    public TokenMinter(String secret, String issuer, String audience) {
        this(secret, Clock.systemUTC(), issuer, audience);
    }

    /** As {@link #TokenMinter(String)}, stamping {@code iat}/{@code exp} from {@code clock}; for tests. */
    TokenMinter(String secret, Clock clock) {
        this(secret, clock, null, null);
    }

    private TokenMinter(String secret, Clock clock, String issuer, String audience) {
        this.algorithm = Algorithm.HMAC256(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
    }

    /** A token with {@code sub}, {@code name} (left out when null), {@code iat} and {@code exp} = now + ttl. */
    public String mint(String userId, String name, Duration ttl) {
        return builder(userId, name, ttl).sign(algorithm);
    }

    /** As {@link #mint(String, String, Duration)}, with a {@code rooms} claim (left out when null). */
    public String mint(String userId, String name, Duration ttl, List<String> rooms) {
        JWTCreator.Builder b = builder(userId, name, ttl);
        if (rooms != null) {
            b.withClaim("rooms", List.copyOf(rooms));
        }
        return b.sign(algorithm);
    }

    private JWTCreator.Builder builder(String userId, String name, Duration ttl) {
        Objects.requireNonNull(userId, "userId");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        Instant now = clock.instant();
        JWTCreator.Builder b = JWT.create().withSubject(userId).withIssuedAt(now).withExpiresAt(now.plus(ttl));
        if (name != null) {
            b.withClaim("name", name);
        }
        if (issuer != null) {
            b.withIssuer(issuer);
        }
        if (audience != null) {
            b.withAudience(audience);
        }
        return b;
    }
}
