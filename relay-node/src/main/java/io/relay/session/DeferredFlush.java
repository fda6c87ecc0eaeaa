package io.relay.session;

import io.undertow.websockets.core.WebSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a client's frames that were sent on its own I/O thread once, at the end of the thread's
 * current run of tasks, instead of one write per frame. A room's fan-out runs on the I/O threads, and
 * Undertow writes a frame at once when it is sent there: a client in a busy room got one
 * {@code writev} per message. Held here, the frames of every message the thread handles in one pass
 * (XNIO runs its whole task queue between two {@code select}s) leave in one gathering write.
 * <p>
 * Holding is Undertow's own "explicit flush" mode of the channel, switched on for the batch only, so
 * frames Undertow sends itself (a pong, the answer to a close) are held just as briefly and never
 * forgotten. Undertow reads that mode only when a frame is queued (2.3's {@code queueFrame}); if a later
 * version read it elsewhere, frames would stop arriving and DeferredFlushTest would say so. A frame sent
 * from another thread starts no hold: it is written as Undertow does anyway, or with the batch when its
 * channel is held at that moment.
 * Each I/O thread has its own batch, touched by that thread only: no locks.
 */
final class DeferredFlush {
    private static final Logger log = LoggerFactory.getLogger(DeferredFlush.class);
    private static final ThreadLocal<DeferredFlush> BATCH = ThreadLocal.withInitial(DeferredFlush::new);

    private final List<WebSocketChannel> held = new ArrayList<>();
    private final Runnable flushAll = this::flushAll;

    private DeferredFlush() {
    }

    /**
     * Holds the writes of {@code channel} until the end of its I/O thread's current run of tasks, when
     * called on that thread; does nothing elsewhere. Call it before sending the frame.
     */
    static void hold(WebSocketChannel channel) {
        if (channel.getIoThread() == Thread.currentThread() && !channel.isRequireExplicitFlush()) {
            BATCH.get().add(channel);
        }
    }

    private void add(WebSocketChannel channel) {
        channel.setRequireExplicitFlush(true); // only this batch sets it: true means "held already"
        held.add(channel);
        if (held.size() == 1) {
            try {
                channel.getIoThread().execute(flushAll); // behind the tasks already queued on this thread
            } catch (RejectedExecutionException e) { // the thread is stopping: write now
                flushAll();
            }
        }
    }

    /** Indexed: a channel held again while this runs (its flag is off by then) is flushed in this pass too. */
    private void flushAll() {
        try {
            for (int i = 0; i < held.size(); i++) {
                flush(held.get(i));
            }
        } finally {
            held.clear(); // the next hold schedules a new pass whatever happened here
        }
    }

    private static void flush(WebSocketChannel channel) {
        channel.setRequireExplicitFlush(false);
        try {
            channel.flush();
        } catch (RuntimeException e) { // one broken socket must not keep the others' frames back
            log.warn("flushing a client's frames failed", e);
        }
    }
}
