package io.relay.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Who connects where: R rooms of S subscribing members and P publishers each. Subscriber {@code r*S+j}
 * and publisher {@code r*P+k} are in room {@code r}. Connection {@code n} (subscribers first, then
 * publishers) goes to URL {@code n mod urls}, binds source address {@code n mod addresses} and is
 * user {@code <user-prefix>n}.
 */
public final class Topology {
    public enum Role { SUBSCRIBER, PUBLISHER }

    /** One connection to open: {@code id} is its index among the subscribers or among the publishers. */
    public record Spec(int n, Role role, int id, int room, String roomName, URI url, String sourceAddress, String user) {
    }

    private final int rooms;
    private final int members;
    private final int publishersPerRoom;
    private final List<Spec> specs;

    public Topology(int rooms, int members, int publishersPerRoom, List<URI> urls, List<String> sourceAddresses,
                    String roomPrefix, String userPrefix) {
        this.rooms = rooms;
        this.members = members;
        this.publishersPerRoom = publishersPerRoom;
        List<Spec> out = new ArrayList<>(rooms * (members + publishersPerRoom));
        for (int s = 0; s < rooms * members; s++) {
            out.add(spec(out.size(), Role.SUBSCRIBER, s, s / members, urls, sourceAddresses, roomPrefix, userPrefix));
        }
        for (int p = 0; p < rooms * publishersPerRoom; p++) {
            out.add(spec(out.size(), Role.PUBLISHER, p, p / publishersPerRoom, urls, sourceAddresses, roomPrefix, userPrefix));
        }
        this.specs = List.copyOf(out);
    }

    public static Topology of(Options o) {
        return new Topology(o.rooms(), o.members(), o.mode() == Options.Mode.IDLE ? 0 : o.publishers(),
                o.urls(), o.sourceAddresses(), o.roomPrefix(), o.userPrefix());
    }

    private static Spec spec(int n, Role role, int id, int room, List<URI> urls, List<String> addrs,
                             String roomPrefix, String userPrefix) {
        String addr = addrs.isEmpty() ? null : addrs.get(n % addrs.size());
        return new Spec(n, role, id, room, roomPrefix + room, urls.get(n % urls.size()), addr, userPrefix + n);
    }

    public List<Spec> specs() {
        return specs;
    }

    public int rooms() {
        return rooms;
    }

    /** Subscribing members per room. */
    public int members() {
        return members;
    }

    public int publishersPerRoom() {
        return publishersPerRoom;
    }

    public int subscribers() {
        return rooms * members;
    }

    public int publishers() {
        return rooms * publishersPerRoom;
    }

    /** The room of publisher {@code p}. */
    public int roomOfPublisher(int p) {
        return p / publishersPerRoom;
    }

    /** The room of subscriber {@code s}. */
    public int roomOfSubscriber(int s) {
        return s / members;
    }
}
