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

    /** Registers a session; returns true when it is the user's first on this node. */
    public boolean add(Session session) {
        byId.put(session.id(), session);
        boolean[] first = {false};
        byUser.compute(session.userId(), (user, set) -> {
            if (set == null) {
                set = ConcurrentHashMap.newKeySet();
                first[0] = true;
            }
            set.add(session);
            return set;
        });
        return first[0];
    }

    /** Unregisters a session; returns true when it was the user's last on this node. */
    public boolean remove(Session session) {
        if (byId.remove(session.id()) == null) {
            return false;
        }
        boolean[] last = {false};
        byUser.computeIfPresent(session.userId(), (user, set) -> {
            set.remove(session);
            last[0] = set.isEmpty();
            return last[0] ? null : set;
        });
        return last[0];
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
