package io.relay.node;

import io.relay.history.History;
import io.relay.history.HistoryPage;
import io.relay.history.Offset;
import io.relay.hub.Hub;
import io.relay.hub.Position;
import io.relay.hub.Sequenced;
import io.relay.model.FrameCodec;
import io.relay.model.ServerFrame;
import io.relay.presence.Presence;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "A Redis blip loses nothing" (DESIGN.md). When the pub/sub link drops, every room's live frames
 * are held; when it is back and resubscribed, presence is re-asserted (Redis may have restarted
 * empty) and each room's history is read from the last position the node delivered: the missed
 * messages go to its members in order, and only then the held live frames after them. Where
 * history cannot cover the gap, members get a {@code gap} frame instead of silence.
 */
final class LinkRecovery {
    private static final Logger log = LoggerFactory.getLogger(LinkRecovery.class);

    private final Hub hub;
    private final History history;
    private final Presence presence;
    private final FrameCodec codec;
    private final int maxReplay;

    LinkRecovery(Hub hub, History history, Presence presence, FrameCodec codec, int maxReplay) {
        this.hub = hub;
        this.history = history;
        this.presence = presence;
        this.codec = codec;
        this.maxReplay = maxReplay;
    }

    void linkDown() {
        hub.suspendAll();
    }

    void linkUp() {
        presence.reassert().whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("re-asserting presence after the link came back failed: {}", e.toString());
            }
        });
        hub.resumeNew();
        hub.forEachRoom(room -> hub.position(room).whenComplete((position, e) -> repair(room, position)));
    }

    private void repair(String room, Position position) {
        if (position == null || !position.isKnown()) {
            hub.resume(room, List.of(), Position.UNKNOWN); // nobody here has a position to miss from
            return;
        }
        history.after(room, position.seq(), maxReplay + 1).whenComplete((page, e) -> {
            if (e != null) {
                log.warn("room {}: history unreadable after the pub/sub link came back: {}", room, e.toString());
                hub.resume(room, List.of(gap(room, null)), Position.UNKNOWN);
            } else {
                resume(room, new Offset(position.epoch(), position.seq()), page);
            }
        });
    }

    private void resume(String room, Offset from, HistoryPage page) {
        if (!page.top().epoch().equals(from.epoch())) {
            // history started afresh (Redis restarted empty, or it expired): what was missed of the old
            // epoch is gone, but the new epoch's messages can still be delivered from its start
            history.after(room, 0, maxReplay + 1).whenComplete((fresh, e) -> {
                Offset start = fresh == null ? null : new Offset(fresh.top().epoch(), 0);
                resumeWith(room, start != null && complete(fresh, start) ? fresh : null, page);
            });
            return;
        }
        if (complete(page, from)) {
            hub.resume(room, missed(page), position(page));
            if (!page.entries().isEmpty()) {
                log.info("room {}: {} messages missed during the pub/sub outage delivered from history",
                        room, page.entries().size());
            }
        } else {
            log.warn("room {}: messages after {} are no longer in history: members get a gap notice", room, from);
            hub.resume(room, List.of(gap(room, page.top().toString())), position(page));
        }
    }

    /** After an epoch change: a gap notice, then the new epoch's messages when they are all there. */
    private void resumeWith(String room, HistoryPage fresh, HistoryPage fallback) {
        log.warn("room {}: history started a new epoch while the link was down: members get a gap notice{}", room,
                fresh == null ? "" : " and the " + fresh.entries().size() + " messages of the new epoch");
        if (fresh == null) {
            hub.resume(room, List.of(gap(room, fallback.top().toString())), position(fallback));
            return;
        }
        List<Sequenced> lead = new ArrayList<>(missed(fresh));
        lead.add(0, gap(room, new Offset(fresh.top().epoch(), 0).toString()));
        hub.resume(room, lead, position(fresh));
    }

    private boolean complete(HistoryPage page, Offset from) {
        return page.canRecoverFrom(from, maxReplay) && page.entries().size() == page.top().seq() - from.seq();
    }

    private static List<Sequenced> missed(HistoryPage page) {
        List<Sequenced> missed = new ArrayList<>(page.entries().size());
        for (HistoryPage.Entry entry : page.entries()) {
            ByteBuffer frame = ByteBuffer.wrap(entry.frame().getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
            missed.add(new Sequenced(frame, entry.seq()));
        }
        return missed;
    }

    private static Position position(HistoryPage page) {
        return new Position(page.top().epoch(), page.top().seq());
    }

    private Sequenced gap(String room, String offset) {
        byte[] frame = codec.encodeToBytes(new ServerFrame.Gap(room, offset));
        return new Sequenced(ByteBuffer.wrap(frame).asReadOnlyBuffer(), -1);
    }
}
