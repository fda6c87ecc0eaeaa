package io.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A minimal WebSocket client straight on a {@link Socket}: the HTTP upgrade (token in the
 * {@code token} header), masked text frames out, and a reader thread that queues text frames and
 * records the server's close. Unlike {@code java.net.http.WebSocket} it NEVER answers a ping, so
 * it can play a client whose pongs never come. It does answer a close frame (with the same code),
 * as any client would.
 */
public final class RawWebSocket implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int OP_CONTINUATION = 0;
    private static final int OP_TEXT = 1;
    private static final int OP_BINARY = 2;
    private static final int OP_CLOSE = 8;
    private static final int OP_PING = 9;
    private static final int OP_PONG = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * How the connection ended: the close frame's code and reason, or {@code code == null} when the
     * connection ended without one (EOF or reset); {@code atNanos} is when the reader saw it.
     */
    public record Close(Integer code, String reason, long atNanos) {
    }

    /** The server refused the upgrade. */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String head) {
            super("upgrade refused with HTTP " + status + ": " + Json.shorten(head, 300));
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final String label;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final AtomicInteger pings = new AtomicInteger();
    private final AtomicInteger pongs = new AtomicInteger();
    private final FrameInbox<Close> inbox;
    private volatile boolean closeSent;

    private RawWebSocket(String label, Socket socket, InputStream in) throws IOException {
        this.label = label;
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.inbox = new FrameInbox<>(label, () -> ", pings received: " + pings.get());
    }

    /** Upgrades {@code path} (e.g. {@code /ws}) on {@code base} ({@code ws://host:port}) with {@code token}. */
    public static RawWebSocket connect(URI base, String path, String token, String label) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String key = Base64.getEncoder().encodeToString(randomBytes(16));
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                    + (token == null ? "" : "token: " + token + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Map<String, String> headers = new LinkedHashMap<>();
            int status = readHead(in, headers);
            if (status != 101) {
                throw new Refused(status, headers.toString());
            }
            if (!accept(key).equals(headers.get("sec-websocket-accept"))) {
                throw new AssertionError(label + ": bad Sec-WebSocket-Accept in " + headers);
            }
            socket.setSoTimeout(0);
            RawWebSocket ws = new RawWebSocket(label, socket, in);
            Thread reader = new Thread(ws::readLoop, "raw-ws-" + label);
            reader.setDaemon(true);
            reader.start();
            return ws;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new AssertionError(label + ": upgrade of " + base + path + " failed: " + e, e);
        } catch (RuntimeException | Error e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /** Sends one (masked) text frame; false when the connection is already broken. */
    public boolean sendText(String text) {
        return sendFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** WebSocket pings received so far (none of them answered). */
    public int pingsReceived() {
        return pings.get();
    }

    /** WebSocket pongs received so far (this client sends no pings: unsolicited ones). */
    public int pongsReceived() {
        return pongs.get();
    }

    /** Removes and returns the first queued text frame matching {@code match}, waiting up to {@code timeout}. */
    public JsonNode await(Predicate<JsonNode> match, Duration timeout, String what) {
        return inbox.take(match, timeout, what, false);
    }

    /** Every text frame received so far, in order. */
    public List<JsonNode> received() {
        return inbox.received();
    }

    public boolean isClosed() {
        return inbox.isEnded();
    }

    /** How the connection ended; fails if it is still open after {@code timeout}. */
    public Close awaitClose(Duration timeout) {
        return inbox.awaitEnd(timeout);
    }

    /** The close, if the connection has ended. */
    public Close closeNow() {
        return inbox.endNow();
    }

    @Override
    public void close() {
        if (!inbox.isEnded()) {
            sendClose(1000);
        }
        closeQuietly(socket);
    }

    @Override
    public String toString() {
        return label;
    }

    private void readLoop() {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        try {
            while (true) {
                int b0 = readByte();
                int b1 = readByte();
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                byte[] payload = readPayload(b1);
                if (opcode == OP_PING) {
                    pings.incrementAndGet(); // and never a pong: the point of this client
                } else if (opcode == OP_PONG) {
                    pongs.incrementAndGet();
                } else if (opcode == OP_CLOSE) {
                    onClose(payload);
                    return;
                } else if (opcode == OP_TEXT || opcode == OP_BINARY || opcode == OP_CONTINUATION) {
                    message.write(payload);
                    if (fin) {
                        onMessage(opcode, message.toString(StandardCharsets.UTF_8));
                        message.reset();
                    }
                }
            }
        } catch (IOException e) {
            inbox.end(new Close(null, String.valueOf(e), System.nanoTime()));
            closeQuietly(socket);
        }
    }

    private void onClose(byte[] payload) {
        long at = System.nanoTime();
        Integer code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : null;
        String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        inbox.end(new Close(code, reason, at));
        sendClose(code == null ? 1000 : code);
        closeQuietly(socket);
    }

    private void onMessage(int opcode, String text) {
        if (opcode == OP_BINARY) {
            inbox.addBinary();
        } else {
            inbox.addText(text);
        }
    }

    private byte[] readPayload(int b1) throws IOException {
        boolean masked = (b1 & 0x80) != 0;
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (readByte() << 8) | readByte();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte();
            }
        }
        if (length > 16 * 1024 * 1024) {
            throw new IOException("frame of " + length + " bytes");
        }
        byte[] mask = masked ? in.readNBytes(4) : null;
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("connection ended inside a frame");
        }
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
        }
        return payload;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection ended");
        }
        return b;
    }

    private void sendClose(int code) {
        if (closeSent) {
            return;
        }
        closeSent = true;
        sendFrame(OP_CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
    }

    private boolean sendFrame(int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift));
            }
        }
        byte[] mask = randomBytes(4);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        synchronized (out) {
            try {
                out.write(frame.toByteArray());
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Reads the status line and headers (names lower-cased) of the upgrade response. */
    private static int readHead(InputStream in, Map<String, String> headers) throws IOException {
        String status = readLine(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + status);
        }
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return Integer.parseInt(parts[1]);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection ended in the HTTP response head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
