package io.relay.auth;

import static io.relay.auth.TestTokens.CLOCK;
import static io.relay.auth.TestTokens.NOW;
import static io.relay.auth.TestTokens.SECRET;
import static io.relay.auth.TestTokens.hsConfig;
import static io.relay.auth.TestTokens.verifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenMinterTest {
    private final TokenMinter minter = new TokenMinter(SECRET, CLOCK);
    private final TokenVerifier verifier = verifier(hsConfig());

    @Test
    void mintsATokenTheVerifierAccepts() {
        Principal p = verifier.verify(minter.mint("u1", "Ann", Duration.ofHours(1)));

        assertThat(p.userId()).isEqualTo("u1");
        assertThat(p.name()).isEqualTo("Ann");
        assertThat(p.rooms()).isNull();
        assertThat(p.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
    }

    @Test
    void stampsSubIatExpAndHs256() {
        DecodedJWT jwt = JWT.decode(minter.mint("u1", "Ann", Duration.ofMinutes(5)));

        assertThat(jwt.getAlgorithm()).isEqualTo("HS256");
        assertThat(jwt.getSubject()).isEqualTo("u1");
        assertThat(jwt.getIssuedAtAsInstant()).isEqualTo(NOW);
        assertThat(jwt.getExpiresAtAsInstant()).isEqualTo(NOW.plusSeconds(300));
    }

    @Test
    void leavesOutANullName() {
        String token = minter.mint("u1", null, Duration.ofHours(1));

        assertThat(JWT.decode(token).getClaim("name").isMissing()).isTrue();
        assertThat(verifier.verify(token).name()).isNull();
    }

    @Test
    void carriesRooms() {
        Principal p = verifier.verify(minter.mint("u1", null, Duration.ofHours(1), List.of("lobby", "team-*")));

        assertThat(p.rooms()).containsExactly("lobby", "team-*");
        assertThat(p.mayJoin("team-7")).isTrue();
        assertThat(verifier.verify(minter.mint("u1", null, Duration.ofHours(1), List.of())).mayJoin("lobby")).isFalse();
        assertThat(verifier.verify(minter.mint("u1", null, Duration.ofHours(1), null)).rooms()).isNull();
    }

    @Test
    void mintsWithTheRealClockToo() {
        String token = new TokenMinter(SECRET).mint("u1", null, Duration.ofMinutes(1));

        assertThat(TokenVerifier.create(hsConfig().build()).verify(token).userId()).isEqualTo("u1");
    }

    @Test
    void refusesANonPositiveTtl() {
        assertThatThrownBy(() -> minter.mint("u1", null, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint("u1", null, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTokenOfAnotherSecretIsRefused() {
        String token = new TokenMinter("another-secret-of-32-bytes-at-least!", CLOCK).mint("u1", null, Duration.ofHours(1));

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(AuthException.class)
                .hasMessage("token signature invalid");
    }

    @Test
    void carriesTheIssuerAndAudienceAVerifierDemands() {
        TokenVerifier strict = TokenVerifier.create(hsConfig().jwtIssuer("https://auth.example").jwtAudience("relay").build());

        String token = new TokenMinter(SECRET, "https://auth.example", "relay").mint("u1", null, Duration.ofMinutes(1));

        assertThat(strict.verify(token).userId()).isEqualTo("u1");
        assertThatThrownBy(() -> strict.verify(new TokenMinter(SECRET).mint("u1", null, Duration.ofMinutes(1))))
                .isInstanceOf(AuthException.class);
    }
}
