package io.relay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Connections that never complete their upgrade: a TCP connection that sends part of a request (or
 * nothing) and then waits, and the check that the node ends it.
 */
public final class HostileStall {
    private HostileStall() {
    }

    /**
     * Opens a TCP connection and sends {@code bytes} (half an upgrade request, say) and nothing
     * more; the returned socket is for {@link #awaitEnd}.
     */
    public static Socket sendAndStall(URI base, String bytes) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return socket;
        } catch (IOException e) {
            HostileSocket.closeQuietly(socket);
            throw new AssertionError("cannot open a stalled connection to " + base + ": " + e, e);
        }
    }

    /**
     * Reads {@code socket} until the peer ends the connection (EOF or reset) and returns what it
     * had sent meanwhile (an HTTP error answer, say); fails if it is still open at {@code deadlineNanos}.
     */
    public static String awaitEnd(Socket socket, long deadlineNanos, String what) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError(what + ": still open at the deadline; received so far: "
                            + Json.shorten(seen.toString(StandardCharsets.ISO_8859_1), 300));
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int n;
                try {
                    n = socket.getInputStream().read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (n < 0) {
                    return seen.toString(StandardCharsets.ISO_8859_1);
                }
                seen.write(buffer, 0, n);
            }
        } catch (IOException e) {
            return seen.toString(StandardCharsets.ISO_8859_1) + " [" + e + "]"; // a reset: ended too
        } finally {
            HostileSocket.closeQuietly(socket);
        }
    }
}
