package io.relay.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Verification;
import io.relay.config.NodeConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * Verifies connection tokens (PROTOCOL.md, "Connecting"; RELIABILITY.md S-1..S-8). Thread-safe.
 *
 * <p>The algorithm is fixed by configuration, never read from the token's header: HS256 with
 * {@code RELAY_JWT_SECRET}, or RS256/ES256 with {@code RELAY_JWT_PUBLIC_KEY} by the key's type. So
 * {@code alg: none} and an HS256 token signed with the public key's bytes are refused. A token
 * longer than {@link #MAX_TOKEN_LENGTH} is refused before it is decoded, because java-jwt parses the
 * JSON before it checks the signature.
 */
public final class TokenVerifier {
    /** Longest token accepted, in characters (4 KiB). */
    public static final int MAX_TOKEN_LENGTH = 4096;
    /** Clock leeway for {@code exp}, {@code nbf} and {@code iat}, in seconds. */
    public static final long LEEWAY_SECONDS = 5;

    private final JWTVerifier verifier;
    private final boolean requireExp;

    private TokenVerifier(JWTVerifier verifier, boolean requireExp) {
        this.verifier = verifier;
        this.requireExp = requireExp;
    }

    /**
     * A verifier for {@code config}'s key ({@code jwtSecret} or {@code jwtPublicKey}, exactly one
     * set) and its {@code jwtIssuer}, {@code jwtAudience} and {@code jwtRequireExp}.
     *
     * @throws IllegalArgumentException when no key or both are set, or the public key file is
     *     unreadable or of an unsupported type (the message names RELAY_JWT_PUBLIC_KEY)
     */
    public static TokenVerifier create(NodeConfig config) {
        return create(config, Clock.systemUTC());
    }

    /** As {@link #create(NodeConfig)}, judging time claims by {@code clock}; for tests. */
    static TokenVerifier create(NodeConfig config, Clock clock) {
        Verification v = JWT.require(algorithm(config))
                .acceptLeeway(LEEWAY_SECONDS)
                .withClaimPresence("sub");
        // java-jwt passes a token without exp unless told otherwise (S-3)
        if (config.jwtRequireExp()) {
            v.withClaimPresence("exp");
        }
        if (config.jwtIssuer() != null) {
            v.withIssuer(config.jwtIssuer());
        }
        if (config.jwtAudience() != null) {
            v.withAudience(config.jwtAudience());
        }
        return new TokenVerifier(((JWTVerifier.BaseVerification) v).build(clock), config.jwtRequireExp());
    }

    /**
     * The principal of a valid token.
     *
     * @throws AuthException for any refused token (null, too long, malformed, wrong algorithm, bad
     *     signature, expired, not yet valid, wrong issuer or audience, bad {@code sub}, {@code name}
     *     or {@code rooms}); its message is safe for the client
     */
    public Principal verify(String token) {
        if (token == null || token.isBlank()) {
            throw new AuthException("no token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthException("token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        try {
            return Claims.principal(verifier.verify(token), requireExp);
        } catch (JWTVerificationException e) {
            throw new AuthException(reason(e));
        } catch (AuthException e) {
            throw e;
        } catch (RuntimeException e) {
            // a token is untrusted input: whatever a decoder throws on it is a refusal, not a crash
            throw new AuthException("token malformed");
        }
    }

    private static Algorithm algorithm(NodeConfig config) {
        if (config.jwtSecret() != null && config.jwtPublicKey() != null) {
            throw new IllegalArgumentException("set only one of RELAY_JWT_SECRET and RELAY_JWT_PUBLIC_KEY");
        }
        if (config.jwtSecret() != null) {
            return Algorithm.HMAC256(config.jwtSecret().getBytes(StandardCharsets.UTF_8));
        }
        if (config.jwtPublicKey() != null) {
            return PublicKeyFile.algorithm(config.jwtPublicKey());
        }
        throw new IllegalArgumentException("a token verifier needs RELAY_JWT_SECRET or RELAY_JWT_PUBLIC_KEY");
    }

    /** A short client-safe reason; java-jwt's own messages may quote claim values, so they are not used. */
    private static String reason(JWTVerificationException e) {
        if (e instanceof AlgorithmMismatchException) {
            return "token algorithm not accepted";
        }
        if (e instanceof SignatureVerificationException) {
            return "token signature invalid";
        }
        if (e instanceof TokenExpiredException) {
            return "token expired";
        }
        if (e instanceof MissingClaimException m) {
            return "token has no " + m.getClaimName();
        }
        if (e instanceof IncorrectClaimException i) {
            return incorrect(i.getClaimName());
        }
        return "token malformed";
    }

    private static String incorrect(String claim) {
        return switch (claim) {
            case "nbf" -> "token not yet valid";
            case "iat" -> "token issued in the future";
            case "exp" -> "token expired";
            case "iss" -> "token issuer not accepted";
            case "aud" -> "token audience not accepted";
            default -> "token claim '" + claim + "' not accepted";
        };
    }
}
