package io.relay.node;

import io.relay.model.CloseCode;
import io.relay.session.Session;
import io.relay.session.Sessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful end of a node (SIGTERM): clients are closed with 1012 in batches spread over part of
 * the drain time, so they do not all reconnect to the next node in the same millisecond; each close
 * removes the client's presence (leave events go out) as a normal close would. Clients still open
 * when the time is nearly up are cut off and their presence removed by the node itself.
 */
final class Drain {
    private static final Logger log = LoggerFactory.getLogger(Drain.class);
    private static final int BATCHES = 20;

    private final Sessions sessions;
    private final Consumer<Session> forget;

    /** {@code forget} ends a session's presence and subscriptions as if it had closed. */
    Drain(Sessions sessions, Consumer<Session> forget) {
        this.sessions = sessions;
        this.forget = forget;
    }

    /** Runs the drain on the calling thread; returns within {@code timeout} minus a margin for shutdown. */
    void run(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long spread = timeout.toNanos() * 4 / 10;
        long giveUp = start + timeout.toNanos() * 8 / 10;
        List<Session> open = new ArrayList<>(sessions.all());
        log.info("draining: closing {} connections over {} ms", open.size(), spread / 1_000_000);
        int perBatch = Math.max(1, (open.size() + BATCHES - 1) / BATCHES);
        for (int i = 0; i < open.size(); i += perBatch) {
            open.subList(i, Math.min(open.size(), i + perBatch))
                    .forEach(s -> s.close(CloseCode.RESTARTING, "node draining"));
            sleepUntil(start + spread * (i / perBatch + 1) / BATCHES);
        }
        while (sessions.count() > 0 && System.nanoTime() < giveUp) {
            Thread.sleep(20);
        }
        for (Session straggler : List.copyOf(sessions.all())) {
            forget.accept(straggler);
        }
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long wait = deadline - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
