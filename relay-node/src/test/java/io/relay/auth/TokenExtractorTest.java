package io.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenExtractorTest {

    @Test
    void prefersTheAuthorizationHeader() {
        assertThat(TokenExtractor.extract("Bearer a.b.c", "d.e.f", "g.h.i")).isEqualTo("a.b.c");
    }

    @Test
    void thenTheTokenHeader() {
        assertThat(TokenExtractor.extract(null, "d.e.f", "g.h.i")).isEqualTo("d.e.f");
    }

    @Test
    void thenTheQuery() {
        assertThat(TokenExtractor.extract(null, null, "g.h.i")).isEqualTo("g.h.i");
    }

    @Test
    void nullWhenNone() {
        assertThat(TokenExtractor.extract(null, null, null)).isNull();
        assertThat(TokenExtractor.extract("", " ", "\t")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer a.b.c", "bearer a.b.c", "BEARER a.b.c", "BeArEr a.b.c", "  Bearer   a.b.c  ",
            "Bearer\ta.b.c"})
    void readsTheBearerSchemeCaseInsensitivelyAndTrims(String header) {
        assertThat(TokenExtractor.extract(header, null, null)).isEqualTo("a.b.c");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearera.b.c", "a.b.c", "Token a.b.c"})
    void skipsAnAuthorizationHeaderThatIsNotABearerToken(String header) {
        assertThat(TokenExtractor.extract(header, "d.e.f", null)).isEqualTo("d.e.f");
        assertThat(TokenExtractor.extract(header, null, "g.h.i")).isEqualTo("g.h.i");
        assertThat(TokenExtractor.extract(header, null, null)).isNull();
    }

    @Test
    void trimsTheTokenHeaderAndAcceptsABearerPrefixThere() {
        assertThat(TokenExtractor.extract(null, "  d.e.f ", null)).isEqualTo("d.e.f");
        assertThat(TokenExtractor.extract(null, "Bearer d.e.f", null)).isEqualTo("d.e.f");
    }

    @Test
    void skipsBlankSourcesInOrder() {
        assertThat(TokenExtractor.extract("Bearer  ", "  ", " g.h.i ")).isEqualTo("g.h.i");
    }
}
