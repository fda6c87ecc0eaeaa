package io.relay.bench;

import io.netty.channel.Channel;

/** What one WebSocket connection reports. Every call comes from the connection's event loop thread. */
public interface WsListener {
    /** The upgrade succeeded: frames can be sent on {@code channel}. */
    void onOpen(Channel channel);

    /**
     * A text frame arrived at {@code nanos} ({@link System#nanoTime()}); its UTF-8 bytes are
     * {@code bytes[0..length)}, valid only during the call.
     */
    void onText(byte[] bytes, int length, long nanos);

    /** The connection ended after the upgrade: {@code code} from the server's close frame, or -1. */
    void onClose(int code, String reason);

    /** The connection failed before the upgrade; {@code why} names the step and the cause. */
    void onFailure(String why);
}
