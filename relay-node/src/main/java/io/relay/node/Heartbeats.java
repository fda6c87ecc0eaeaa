package io.relay.node;

import io.relay.auth.Principal;
import io.relay.model.CloseCode;
import io.relay.session.Session;
import io.relay.session.Sessions;
import io.undertow.websockets.core.WebSockets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

/**
 * The node's periodic look at every session: a WebSocket ping each heartbeat interval (keeps
 * proxies from dropping quiet connections), closing with 4408 a connection that sent nothing (no
 * pong, no frame) for three intervals, and closing with 4001 once a token has expired (plus the
 * 5 s leeway) without a refresh.
 */
final class Heartbeats implements Runnable {
    static final Duration LEEWAY = Duration.ofSeconds(5);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Sessions sessions;
    private final long pingEveryNanos;
    private final long silenceLimitNanos;
    private long lastPingNanos = System.nanoTime();

    Heartbeats(Sessions sessions, Duration heartbeat) {
        this.sessions = sessions;
        this.pingEveryNanos = heartbeat.toNanos();
        this.silenceLimitNanos = 3 * pingEveryNanos;
    }

    /** Runs every second on the node's timer thread. */
    @Override
    public void run() {
        long now = System.nanoTime();
        boolean ping = now - lastPingNanos >= pingEveryNanos;
        if (ping) {
            lastPingNanos = now;
        }
        Instant deadline = Instant.now().minus(LEEWAY);
        for (Session session : sessions.all()) {
            Principal principal = session.principal();
            if (principal.expiresAt() != null && principal.expiresAt().isBefore(deadline)) {
                session.close(CloseCode.TOKEN_EXPIRED, "token expired and not refreshed");
            } else if (now - session.lastSeenNanos() > silenceLimitNanos) {
                session.close(CloseCode.NO_HEARTBEAT, "nothing received for three heartbeat intervals");
            } else if (ping && session.isOpen()) {
                WebSockets.sendPing(EMPTY.duplicate(), session.channel(), null);
            }
        }
    }
}
