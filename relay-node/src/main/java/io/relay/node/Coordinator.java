package io.relay.node;

import io.relay.auth.AuthException;
import io.relay.auth.Principal;
import io.relay.auth.TokenVerifier;
import io.relay.broker.Broker;
import io.relay.history.History;
import io.relay.history.Offset;
import io.relay.model.ClientFrame;
import io.relay.model.CloseCode;
import io.relay.model.ErrorCode;
import io.relay.model.FrameCodec;
import io.relay.model.FrameException;
import io.relay.model.Member;
import io.relay.model.ServerFrame;
import io.relay.presence.Presence;
import io.relay.session.RateLimiter;
import io.relay.session.Session;
import io.relay.session.Sessions;
import io.relay.transport.ClientHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles what clients send: checks each frame against the session's rights and answers it, using
 * the hub (local fan-out), the broker (cross-node), presence and history. Called on XNIO I/O threads
 * and Redis callbacks; nothing here blocks. Joins are in {@link Joins}.
 */
final class Coordinator implements ClientHandler {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final FrameCodec codec;
    private final Sessions sessions;
    private final Broker broker;
    private final Presence presence;
    private final History history;
    private final TokenVerifier verifier;
    private final Joins joins;
    private final String nodeId;
    private final int heartbeatSeconds;
    private final boolean allowPublishWithoutJoin;
    private final Metrics metrics;

    Coordinator(FrameCodec codec, Sessions sessions, Broker broker, Presence presence, History history,
                TokenVerifier verifier, Joins joins, String nodeId, int heartbeatSeconds,
                boolean allowPublishWithoutJoin, Metrics metrics) {
        this.codec = codec;
        this.sessions = sessions;
        this.broker = broker;
        this.presence = presence;
        this.history = history;
        this.verifier = verifier;
        this.joins = joins;
        this.nodeId = nodeId;
        this.heartbeatSeconds = heartbeatSeconds;
        this.allowPublishWithoutJoin = allowPublishWithoutJoin;
        this.metrics = metrics;
    }

    /**
     * A connection completed its upgrade: register it, make sure direct messages reach it, then
     * welcome it and auto-join the path's room, if any.
     */
    @Override
    public CompletionStage<Void> opened(Session session, String pathRoom) {
        session.inLogContext(() -> log.info("opened session={} user={} node={}", session.id(), session.userId(),
                nodeId));
        sessions.add(session);
        return broker.subscribeUser(session.userId()).handle((ok, e) -> {
            if (e != null) {
                session.inLogContext(() -> log.warn("session={} user={} could not subscribe to its direct channel: {}",
                        session.id(), session.userId(), e.toString()));
            }
            session.send(new ServerFrame.Welcome(session.id(), nodeId, session.principal().member(),
                    heartbeatSeconds));
            if (pathRoom != null) {
                joins.pathJoin(session, pathRoom);
            }
            return null;
        });
    }

    /** One text frame from a client. */
    @Override
    public void text(Session session, String text) {
        if (!admitted(session)) {
            return;
        }
        ClientFrame frame;
        try {
            frame = codec.decode(text);
        } catch (FrameException e) {
            metrics.frameIn("invalid");
            session.send(new ServerFrame.Error(e.id(), e.code(), e.getMessage()));
            return;
        }
        metrics.frameIn(frame.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        try {
            dispatch(session, frame);
        } catch (RuntimeException e) {
            log.error("session={} {} failed", session.id(), frame.getClass().getSimpleName(), e);
            error(session, frame.id(), ErrorCode.INTERNAL, "internal error");
        }
    }

    /** A binary frame: the protocol is text only. */
    @Override
    public void binary(Session session) {
        if (admitted(session)) {
            metrics.frameIn("binary");
            error(session, null, ErrorCode.BAD_REQUEST, "binary frames are not accepted: send JSON text frames");
        }
    }

    /** The connection is gone: leave every room and forget the session. */
    @Override
    public void closed(Session session, int peerCloseCode) {
        if (!session.markGone()) {
            return;
        }
        joins.leaveAll(session);
        sessions.remove(session);
        broker.unsubscribeUser(session.userId());
        CloseCode ours = session.closeCode();
        metrics.closed(ours != null ? ours.name() : "client");
        session.inLogContext(() -> log.info("closed session={} user={} node={} code={} reason={}", session.id(),
                session.userId(), nodeId, ours != null ? ours.code() : peerCloseCode,
                ours != null ? ours.reason() + ": " + session.closeReason() : "closed by client or network"));
    }

    private boolean admitted(Session session) {
        RateLimiter.Verdict verdict = session.admit();
        if (verdict == RateLimiter.Verdict.ALLOWED) {
            return true;
        }
        if (verdict == RateLimiter.Verdict.ABUSIVE) {
            session.close(CloseCode.RATE_LIMITED, "over the rate limit too often");
        } else {
            error(session, null, ErrorCode.RATE_LIMITED, "too many frames: slow down");
        }
        return false;
    }

    private void dispatch(Session session, ClientFrame frame) {
        if (frame instanceof ClientFrame.Join j) {
            joins.join(session, j.id(), j.room(), j.since());
        } else if (frame instanceof ClientFrame.Leave l) {
            joins.leave(session, l.id(), l.room());
        } else if (frame instanceof ClientFrame.Publish p) {
            publish(session, p);
        } else if (frame instanceof ClientFrame.Direct d) {
            direct(session, d);
        } else if (frame instanceof ClientFrame.Presence p) {
            presence(session, p);
        } else if (frame instanceof ClientFrame.History h) {
            history(session, h);
        } else if (frame instanceof ClientFrame.Refresh r) {
            refresh(session, r);
        } else if (frame instanceof ClientFrame.Ping p) {
            session.send(new ServerFrame.Pong(p.id()));
        }
    }

    private void publish(Session session, ClientFrame.Publish p) {
        long received = System.nanoTime();
        if (allowPublishWithoutJoin && !session.rooms().containsKey(p.room())) {
            if (!session.principal().mayJoin(p.room())) {
                error(session, p.id(), ErrorCode.FORBIDDEN, "your token does not allow room '" + p.room() + "'");
                return;
            }
        } else if (!isMember(session, p.id(), p.room(), "publishing")) {
            return;
        }
        String prefix = codec.messagePrefix(p.room(), session.principal().member(), p.data(), System.currentTimeMillis());
        broker.publish(p.room(), prefix, p.key()).whenComplete((r, e) -> {
            if (e != null) {
                unavailable(session, p.id(), "publish", e);
            } else {
                session.send(new ServerFrame.Ack(p.id(), r.offset(), null));
                metrics.publishAcked(received);
            }
        });
    }

    private void direct(Session session, ClientFrame.Direct d) {
        Member from = session.principal().member();
        String frame = codec.encode(new ServerFrame.Direct(from, d.to(), d.data(), System.currentTimeMillis()));
        broker.sendToUser(d.to(), frame).whenComplete((nodes, e) -> {
            if (e != null) {
                unavailable(session, d.id(), "direct", e);
            } else if (nodes == 0) {
                error(session, d.id(), ErrorCode.RECIPIENT_OFFLINE, "user '" + d.to() + "' has no open connection");
            } else {
                session.send(new ServerFrame.Ack(d.id(), null, nodes.intValue()));
            }
        });
    }

    private void presence(Session session, ClientFrame.Presence p) {
        if (!isMember(session, p.id(), p.room(), "asking its presence")) {
            return;
        }
        presence.members(p.room()).whenComplete((members, e) -> {
            if (e != null) {
                unavailable(session, p.id(), "presence", e);
            } else {
                session.send(new ServerFrame.PresenceReply(p.id(), p.room(), members));
            }
        });
    }

    private void history(Session session, ClientFrame.History h) {
        if (!isMember(session, h.id(), h.room(), "reading its history")) {
            return;
        }
        Offset since = h.since() == null ? null : Offset.parse(h.since());
        if (h.since() != null && since == null) {
            error(session, h.id(), ErrorCode.BAD_REQUEST, "'since' is not an offset given by this server");
            return;
        }
        history.page(h.room(), since, h.limit()).whenComplete((p, e) -> {
            if (e != null) {
                unavailable(session, h.id(), "history", e);
            } else {
                List<RawValue> messages = p.entries().stream().map(m -> new RawValue(m.frame())).toList();
                session.send(new ServerFrame.HistoryReply(h.id(), h.room(), messages));
            }
        });
    }

    private void refresh(Session session, ClientFrame.Refresh r) {
        Principal fresh;
        try {
            fresh = verifier.verify(r.token());
        } catch (AuthException e) {
            error(session, r.id(), ErrorCode.UNAUTHORIZED, e.getMessage());
            return;
        }
        if (!fresh.userId().equals(session.userId())) {
            error(session, r.id(), ErrorCode.FORBIDDEN, "a refresh token must be for the same user");
            return;
        }
        session.principal(fresh);
        long exp = fresh.expiresAt() == null ? 0 : fresh.expiresAt().getEpochSecond();
        session.send(new ServerFrame.Refreshed(r.id(), exp));
    }

    private boolean isMember(Session session, JsonNode id, String room, String what) {
        if (session.rooms().containsKey(room)) {
            return true;
        }
        error(session, id, ErrorCode.NOT_MEMBER, "join room '" + room + "' before " + what);
        return false;
    }

    private void unavailable(Session session, JsonNode id, String what, Throwable e) {
        session.inLogContext(() -> log.warn("session={} {} failed: Redis did not confirm: {}", session.id(), what,
                e.toString()));
        error(session, id, ErrorCode.UNAVAILABLE, "Redis did not confirm in time; retry (with the same key)");
    }

    private static void error(Session session, JsonNode id, ErrorCode code, String message) {
        session.send(new ServerFrame.Error(id, code, message));
    }
}
