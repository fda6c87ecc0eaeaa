package io.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.auth.Principal;
import io.relay.model.FrameCodec;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionsTest {
    private final Sessions sessions = new Sessions(2);

    @Test
    void findsEveryOpenSessionOfAUserAndForgetsClosedOnes() {
        Session a = session("s-a", "ann");
        Session b = session("s-b", "ann");
        Session c = session("s-c", "bob");
        sessions.add(a);
        sessions.add(b);
        sessions.add(c);

        assertThat(sessions.ofUser("ann")).containsExactlyInAnyOrder(a, b);
        assertThat(sessions.ofUser("bob")).containsExactly(c);
        assertThat(sessions.count()).isEqualTo(3);

        sessions.remove(a);
        assertThat(sessions.ofUser("ann")).containsExactly(b);
        sessions.remove(b);
        assertThat(sessions.ofUser("ann")).isEmpty();
        assertThat(sessions.count()).isEqualTo(1);
    }

    @Test
    void limitsConnectionsPerUserAndFreesTheSlotOnClose() {
        Session a = session("s-a", "ann");
        sessions.add(a);
        sessions.add(session("s-b", "ann"));
        assertThat(sessions.hasRoomFor("ann")).isFalse();
        assertThat(sessions.hasRoomFor("bob")).isTrue();

        sessions.remove(a);
        assertThat(sessions.hasRoomFor("ann")).isTrue();
    }

    @Test
    void aSetOfSessionsOnceReadDoesNotChangeUnderItsReader() {
        Session a = session("s-a", "ann");
        sessions.add(a);
        Set<Session> read = sessions.ofUser("ann");
        sessions.add(session("s-b", "ann"));
        sessions.remove(a);

        assertThat(read).containsExactly(a); // a fan-out iterating it meanwhile sees what it started with
    }

    @Test
    void removingASessionTwiceOrOneNeverAddedChangesNothing() {
        Session a = session("s-a", "ann");
        sessions.add(a);
        sessions.remove(session("s-x", "ann"));
        sessions.remove(a);
        sessions.remove(a);

        assertThat(sessions.ofUser("ann")).isEmpty();
        assertThat(sessions.count()).isZero();
    }

    private static Session session(String id, String user) {
        return new Session(id, new Principal(user, null, null, null), null, new FrameCodec(), 16, 10, 10,
                OutboundMeter.NONE);
    }
}
