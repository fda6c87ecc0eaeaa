package io.relay.presence;

import io.relay.model.Member;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What this node holds: per room, per user, how many of its connections are counted in presence.
 * Redis says the same unless Redis lost it (a restart) or missed a change (a failed leave); then
 * this ledger is what presence is re-asserted from. Changes are made under this object's lock,
 * together with issuing the matching Redis command, so Redis sees them in the ledger's order.
 */
final class LocalPresence {
    /** One user's connections in one room on this node. */
    record Held(Member member, int connections) {
    }

    private final Map<String, Map<String, Held>> rooms = new HashMap<>();

    /** Counts one more connection and runs {@code issue} under the lock. */
    synchronized void add(String room, Member member, Runnable issue) {
        rooms.computeIfAbsent(room, r -> new HashMap<>())
                .merge(member.id(), new Held(member, 1), (old, one) -> new Held(member, old.connections() + 1));
        issue.run();
    }

    /**
     * Counts one connection fewer and runs {@code issue} under the lock, telling it whether the node
     * now holds nobody in the room.
     */
    synchronized void remove(String room, String user, Consumer<Boolean> issue) {
        Map<String, Held> users = rooms.get(room);
        if (users != null) {
            users.computeIfPresent(user, (u, held) ->
                    held.connections() > 1 ? new Held(held.member(), held.connections() - 1) : null);
            if (users.isEmpty()) {
                rooms.remove(room);
            }
        }
        issue.accept(!rooms.containsKey(room));
    }

    /** A copy of everything held: room → user → held. */
    synchronized Map<String, Map<String, Held>> snapshot() {
        Map<String, Map<String, Held>> copy = new LinkedHashMap<>();
        rooms.forEach((room, users) -> copy.put(room, new LinkedHashMap<>(users)));
        return copy;
    }
}
