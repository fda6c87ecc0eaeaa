package io.relay.session;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The node's open sessions, by id and by user. Thread-safe. */
public final class Sessions {
    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<Session>> byUser = new ConcurrentHashMap<>();
    private final int maxPerUser;

    public Sessions(int maxPerUser) {
        this.maxPerUser = maxPerUser;
    }

    /** True when {@code user} may open one more connection on this node. */
    public boolean hasRoomFor(String user) {
        Set<Session> open = byUser.get(user);
        return open == null || open.size() < maxPerUser;
    }

    public void add(Session session) {
        byId.put(session.id(), session);
        byUser.compute(session.userId(), (user, open) -> with(open, session)); // atomic with remove's
    }

    public void remove(Session session) {
        if (byId.remove(session.id()) != null) {
            byUser.computeIfPresent(session.userId(), (user, open) -> without(open, session));
        }
    }

    /** The user's open sessions on this node when called (empty when none). */
    public Set<Session> ofUser(String user) {
        Set<Session> open = byUser.get(user);
        return open == null ? Set.of() : open;
    }

    public Collection<Session> all() {
        return byId.values();
    }

    public int count() {
        return byId.size();
    }

    /*
     * A user's sessions are an immutable set replaced on each change (under the map's compute): most
     * users have one connection, and Set.of(one) costs a few bytes where a concurrent set costs about
     * 200 per user; copying at most maxPerUser entries on connect and close is nothing.
     */
    private static Set<Session> with(Set<Session> open, Session session) {
        if (open == null) {
            return Set.of(session);
        }
        Set<Session> more = new HashSet<>(open);
        more.add(session);
        return Set.copyOf(more);
    }

    private static Set<Session> without(Set<Session> open, Session session) {
        Set<Session> fewer = new HashSet<>(open);
        fewer.remove(session);
        return fewer.isEmpty() ? null : Set.copyOf(fewer);
    }
}
