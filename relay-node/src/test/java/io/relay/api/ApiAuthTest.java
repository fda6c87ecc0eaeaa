package io.relay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiAuthTest {
    private final ApiAuth auth = new ApiAuth("s3cret-key");

    @Test
    void permitsTheKeyAsABearerToken() {
        assertThat(auth.permits("Bearer s3cret-key")).isTrue();
        assertThat(auth.permits("bearer s3cret-key")).as("the scheme is case-insensitive").isTrue();
        assertThat(auth.permits("Bearer   s3cret-key ")).as("surrounding blanks").isTrue();
    }

    @Test
    void refusesAnythingElse() {
        assertThat(auth.permits(null)).isFalse();
        assertThat(auth.permits("")).isFalse();
        assertThat(auth.permits("Bearer")).isFalse();
        assertThat(auth.permits("Bearer ")).isFalse();
        assertThat(auth.permits("Bearer s3cret-ke")).as("a prefix").isFalse();
        assertThat(auth.permits("Bearer s3cret-key2")).as("a longer key").isFalse();
        assertThat(auth.permits("Bearer S3CRET-KEY")).as("keys are case-sensitive").isFalse();
        assertThat(auth.permits("Basic s3cret-key")).isFalse();
        assertThat(auth.permits("s3cret-key")).as("no scheme").isFalse();
    }

    @Test
    void anEmptyKeyIsNoKey() {
        assertThatThrownBy(() -> new ApiAuth("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiAuth(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
