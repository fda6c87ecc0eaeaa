package io.relay.session;

import java.util.Collection;
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
        byUser.compute(session.userId(), (user, set) -> { // atomic with remove's emptying of the set
            Set<Session> open = set == null ? ConcurrentHashMap.newKeySet() : set;
            open.add(session);
            return open;
        });
    }

    public void remove(Session session) {
        if (byId.remove(session.id()) != null) {
            byUser.computeIfPresent(session.userId(), (user, set) -> {
                set.remove(session);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** The user's open sessions on this node (a live view; empty when none). */
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
}
