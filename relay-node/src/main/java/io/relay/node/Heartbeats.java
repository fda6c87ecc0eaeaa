package io.relay.node;

import io.relay.auth.Principal;
import io.relay.auth.TokenVerifier;
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
 *
 * <p>A look walks every session, so it comes no more often than the promises need: at most
 * {@link #MAX_PERIOD} apart (PROTOCOL.md: a 4001 within 5 s after expiry plus leeway), and an
 * exact fraction of the heartbeat, so that every few looks is a ping. An idle node then wakes for
 * this a few times per heartbeat instead of every second.
 */
final class Heartbeats implements Runnable {
    private static final Duration LEEWAY = Duration.ofSeconds(TokenVerifier.LEEWAY_SECONDS);
    static final Duration MAX_PERIOD = Duration.ofSeconds(4);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Sessions sessions;
    private final long silenceLimitNanos;
    private final int looksPerPing;
    private final Duration period;
    private int looksSincePing;

    Heartbeats(Sessions sessions, Duration heartbeat) {
        this.sessions = sessions;
        this.silenceLimitNanos = 3 * heartbeat.toNanos();
        long max = MAX_PERIOD.toNanos();
        this.looksPerPing = (int) ((heartbeat.toNanos() + max - 1) / max); // the fewest that keep looks <= MAX_PERIOD apart
        this.period = heartbeat.dividedBy(looksPerPing);
    }

    /** How often {@link #run} is to be called. */
    Duration period() {
        return period;
    }

    /** Looks at every session; every {@code looksPerPing}-th look also pings. Runs on the node's timer thread. */
    @Override
    public void run() {
        long now = System.nanoTime();
        boolean ping = ++looksSincePing >= looksPerPing;
        if (ping) {
            looksSincePing = 0;
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
