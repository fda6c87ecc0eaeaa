package io.relay.broker;

/**
 * Receives what the broker hears from Redis. Called on a Redis I/O thread: implementations must not
 * block and should hand work to their own executors. {@code frame} is a complete server frame, UTF-8.
 */
public interface BrokerListener {
    void onRoomFrame(String room, byte[] frame);

    void onUserFrame(String user, byte[] frame);
}
