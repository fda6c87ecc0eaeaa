package io.relay.node;

import io.relay.broker.Broker;
import io.relay.broker.BrokerListener;
import io.relay.history.Offset;
import io.relay.hub.Hub;
import io.relay.hub.Position;
import io.relay.model.CloseCode;
import io.relay.session.Session;
import io.relay.session.Sessions;
import java.nio.ByteBuffer;

/**
 * Delivers what the broker hears to local sessions: room frames through the hub, direct frames to
 * every local session of the user. Runs on the Redis I/O thread only long enough to hand off.
 */
final class Fanout implements BrokerListener {
    private final Hub hub;
    private final Sessions sessions;
    private final LinkRecovery repair;

    Fanout(Hub hub, Sessions sessions, LinkRecovery repair) {
        this.hub = hub;
        this.sessions = sessions;
        this.repair = repair;
    }

    @Override
    public void onRoomFrame(String room, byte[] frame) {
        Offset offset = Offset.ofFrame(frame);
        hub.deliver(room, frame, offset == null ? Position.NONE : new Position(offset.epoch(), offset.seq()));
    }

    @Override
    public void onLinkDown() {
        repair.linkDown();
    }

    @Override
    public void onLinkUp() {
        repair.linkUp();
    }

    @Override
    public void onUserFrame(String user, byte[] frame) {
        if (Broker.isDisconnect(frame)) { // on the user's lane: frames sent to the user before it go out first
            hub.run("user:" + user, () -> sessions.ofUser(user).forEach(
                    session -> session.close(CloseCode.DISCONNECTED, "disconnected through the server API")));
            return;
        }
        ByteBuffer shared = ByteBuffer.wrap(frame).asReadOnlyBuffer();
        hub.run("user:" + user, () -> {
            for (Session session : sessions.ofUser(user)) {
                session.deliver(shared.duplicate());
            }
        });
    }
}
