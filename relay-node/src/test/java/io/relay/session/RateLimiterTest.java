package io.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.session.RateLimiter.Verdict;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsTheBurstThenTheRate() {
        RateLimiter limiter = new RateLimiter(10, 5, 0);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.take(0)).isEqualTo(Verdict.ALLOWED);
        }
        assertThat(limiter.take(0)).isEqualTo(Verdict.LIMITED);
        assertThat(limiter.take(SECOND / 10)).isEqualTo(Verdict.ALLOWED);
        assertThat(limiter.take(SECOND / 10)).isEqualTo(Verdict.LIMITED);
        assertThat(limiter.take(10 * SECOND)).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void moreThanAHundredRefusalsInTenSecondsIsAbuse() {
        RateLimiter limiter = new RateLimiter(1, 1, 0);
        limiter.take(0);
        for (int i = 0; i < RateLimiter.ABUSE_LIMIT; i++) {
            assertThat(limiter.take(1)).isEqualTo(Verdict.LIMITED);
        }
        assertThat(limiter.take(2)).isEqualTo(Verdict.ABUSIVE);
    }

    @Test
    void refusalsSpreadOverTimeAreNotAbuse() {
        RateLimiter limiter = new RateLimiter(1, 1, 0);
        long now = 0;
        for (int i = 0; i < 300; i++) {
            now += SECOND / 10; // 9 refusals a second: 90 per window
            assertThat(limiter.take(now)).isNotEqualTo(Verdict.ABUSIVE);
        }
    }
}
