package io.relay.broker;

/**
 * Receives what the broker hears from Redis. Called on a Redis I/O thread: implementations must not
 * block and should hand work to their own executors. {@code frame} is a complete server frame, UTF-8.
 */
public interface BrokerListener {
    void onRoomFrame(String room, byte[] frame);

    void onUserFrame(String user, byte[] frame);

    /** The pub/sub link to Redis is down: frames published from now on will not be heard live. */
    void onLinkDown();

    /**
     * The pub/sub link is back and every channel this node holds is subscribed again (confirmed by
     * Redis): whatever was published while it was down can now be read from history.
     */
    void onLinkUp();
}
