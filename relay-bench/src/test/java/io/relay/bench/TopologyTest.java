package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyTest {
    private final List<URI> urls = List.of(URI.create("ws://a:1/ws"), URI.create("ws://b:2/ws"), URI.create("ws://c:3/ws"));
    private final Topology t = new Topology(2, 3, 2, urls, List.of("127.0.0.1", "127.0.0.2"), "room-", "user-");

    @Test
    void subscribersThenPublishersEachInTheirRoom() {
        assertThat(t.specs()).hasSize(10);
        assertThat(t.specs().subList(0, 6)).allMatch(s -> s.role() == Topology.Role.SUBSCRIBER);
        assertThat(t.specs().subList(6, 10)).allMatch(s -> s.role() == Topology.Role.PUBLISHER);
        assertThat(t.specs()).extracting(Topology.Spec::room).containsExactly(0, 0, 0, 1, 1, 1, 0, 0, 1, 1);
        assertThat(t.specs()).extracting(Topology.Spec::id).containsExactly(0, 1, 2, 3, 4, 5, 0, 1, 2, 3);
        assertThat(t.specs().get(8).roomName()).isEqualTo("room-1");
        assertThat(t.roomOfPublisher(3)).isEqualTo(1);
        assertThat(t.roomOfSubscriber(2)).isZero();
    }

    @Test
    void urlsSourceAddressesAndUsersGoRoundRobinOverAllConnections() {
        assertThat(t.specs()).extracting(s -> s.url().getHost()).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "c", "a");
        assertThat(t.specs()).extracting(Topology.Spec::sourceAddress)
                .containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2",
                        "127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2");
        assertThat(t.specs()).extracting(Topology.Spec::user).doesNotHaveDuplicates().startsWith("user-0", "user-1");
    }

    @Test
    void noSourceAddressesLetsTheSystemChoose() {
        Topology plain = new Topology(1, 1, 0, urls, List.of(), "r", "u");
        assertThat(plain.specs()).singleElement().satisfies(s -> assertThat(s.sourceAddress()).isNull());
    }
}
