package io.relay.broker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * Cross-node pub/sub: carries room messages and direct messages between nodes. It never writes to
 * sockets; frames it receives go to its {@link BrokerListener}. Every stage completes on a Redis I/O
 * thread: callers hand real work to their own executors. A stage that Redis did not confirm within
 * the command timeout completes exceptionally (the client hears {@code unavailable}).
 */
public interface Broker {
    /**
     * Appends a message to the room's history and publishes it to every subscribed node, in one
     * atomic step, so pub/sub order is offset order. {@code messagePrefix} is the frame up to its
     * offset ({@code FrameCodec.messagePrefix}). With a non-null {@code key} repeated within the
     * dedup window, nothing is published and the first publish's offset is returned.
     */
    CompletionStage<PublishResult> publish(String room, String messagePrefix, String key);

    /** Publishes a complete frame to a user's channel; completes with the number of nodes that received it. */
    CompletionStage<Long> sendToUser(String user, String frame);

    /**
     * Asks every node to close all of the user's connections (close code 4403), through the user's
     * channel, after whatever was sent to the user before; completes with the number of nodes that
     * heard it. Listeners recognise the message with {@link #isDisconnect}.
     */
    CompletionStage<Long> disconnectUser(String user);

    /**
     * The control message of {@link #disconnectUser} on a user's channel. Not a frame clients get,
     * and no client can forge it: everything else on a user channel is a {@code direct} frame the
     * server encoded itself, whose first field is {@code "type":"direct"}.
     */
    String DISCONNECT = "{\"type\":\"$disconnect\"}";

    /** True when {@code message}, heard on a user's channel, is the {@link #DISCONNECT} control message. */
    static boolean isDisconnect(byte[] message) {
        return message.length == DISCONNECT.length()
                && DISCONNECT.equals(new String(message, StandardCharsets.US_ASCII));
    }

    /**
     * Takes one reference on the room's channel; the first reference subscribes. Completes once
     * Redis confirmed the subscription, so every message published after that reaches this node.
     */
    CompletionStage<Void> subscribeRoom(String room);

    /** Drops one reference; the last one unsubscribes after the configured delay unless retaken. */
    void unsubscribeRoom(String room);

    /** Like {@link #subscribeRoom} for a user's direct-message channel: one reference per connection. */
    CompletionStage<Void> subscribeUser(String user);

    /** Like {@link #unsubscribeRoom}, without delay: a stale subscription would count as delivered. */
    void unsubscribeUser(String user);

    /**
     * Sends a readiness probe: a message to this node's own probe channel. Called about every second;
     * {@link #isDelivering()} tells whether probes come back.
     */
    void probe();

    /**
     * True while the last probe came back through Redis pub/sub recently, so messages published now
     * reach this node: more than "PING answers" (a pub/sub link can be dead while commands work).
     */
    boolean isDelivering();
}
