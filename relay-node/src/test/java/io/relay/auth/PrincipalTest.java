package io.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relay.model.Member;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrincipalTest {

    @Test
    void nullRoomsAllowEveryRoomButNotNull() {
        Principal p = new Principal("u1", null, null, null);

        assertThat(p.mayJoin("lobby")).isTrue();
        assertThat(p.mayJoin(null)).isFalse();
    }

    @Test
    void emptyRoomsAllowNone() {
        assertThat(new Principal("u1", null, List.of(), null).mayJoin("lobby")).isFalse();
    }

    @Test
    void prefixesMatchTheStartOnly() {
        Principal p = new Principal("u1", null, List.of("lobby", "team-*", "a:b.*"), null);

        assertThat(p.mayJoin("lobby")).isTrue();
        assertThat(p.mayJoin("team-1")).isTrue();
        assertThat(p.mayJoin("team-")).isTrue();
        assertThat(p.mayJoin("a:b.c")).isTrue();
        assertThat(p.mayJoin("lobbyx")).isFalse();
        assertThat(p.mayJoin("lobb")).isFalse();
        assertThat(p.mayJoin("team")).isFalse();
        assertThat(p.mayJoin("a:bc")).isFalse();
    }

    @Test
    void roomsAreCopiedAndImmutable() {
        List<String> rooms = new ArrayList<>(List.of("lobby"));
        Principal p = new Principal("u1", null, rooms, null);
        rooms.add("other");

        assertThat(p.mayJoin("other")).isFalse();
        assertThatThrownBy(() -> p.rooms().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void memberCarriesIdAndName() {
        assertThat(new Principal("u1", "Ann", null, null).member()).isEqualTo(new Member("u1", "Ann"));
        assertThat(new Principal("u1", null, null, null).member()).isEqualTo(new Member("u1", null));
    }
}
