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
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A WebSocket client for hostile tests, straight on a {@link Socket}, that controls every byte: the
 * upgrade request (any header, the token anywhere, an offered extension), frames of any opcode, FIN
 * and RSV bits, fragments, invalid UTF-8, payloads streamed without being held in memory (a 10 MB
 * frame costs the test nothing), and a socket that never reads (with a small receive buffer) to play
 * a slow consumer. Writes that could block on a node that stops reading run with a deadline.
 * <p>
 * Unless made with {@link Builder#noReading()}, a reader thread queues the text frames received and
 * records how the connection ended; like any client it answers the server's close frame. It never
 * answers pings.
 */
public final class HostileSocket implements AutoCloseable {
    public static final int OP_CONTINUATION = 0x0;
    public static final int OP_TEXT = 0x1;
    public static final int OP_BINARY = 0x2;
    public static final int OP_CLOSE = 0x8;
    public static final int OP_PING = 0x9;
    public static final int OP_PONG = 0xA;
    /** The RSV1 bit of the first header byte: "compressed" under permessage-deflate. */
    public static final int RSV1 = 0x40;

    private static final int CHUNK = 64 * 1024;

    /** An HTTP answer to the upgrade request: status, headers (names lower-cased), body. */
    public record Response(int status, Map<String, String> headers, String body) {
        public JsonNode json() {
            return Json.parse(body);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + Json.shorten(body, 300);
        }
    }

    /**
     * How the connection ended: {@code byFrame} when the server sent a close frame, with its code
     * (null for a close frame without one) and reason; otherwise it ended without a close frame
     * ({@code code} null, EOF or reset described in {@code reason}). {@code atNanos} is when it was seen.
     */
    public record Close(Integer code, String reason, long atNanos, boolean byFrame) {
    }

    /** The outcome of a bounded write: bytes that went out, whether all did, and why not. */
    public record Written(long bytes, boolean completed, String failure) {
    }

    /** What {@link #drain} read from a socket that had not been reading. */
    public record Drained(int textFrames, long bytes, Close end) {
    }

    private final String label;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Response response;
    private final FrameInbox<Close> inbox;
    private final AtomicLong bytesRead = new AtomicLong();
    private volatile boolean closeSent;

    private HostileSocket(String label, Socket socket, InputStream in, Response response) throws IOException {
        this.label = label;
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.response = response;
        this.inbox = new FrameInbox<>(label, () -> "");
    }

    /** Starts describing a connection to {@code base} ({@code ws://host:port}). */
    public static Builder to(URI base) {
        return new Builder(base);
    }

    /** Describes the upgrade request. */
    public static final class Builder {
        private final URI base;
        private String path = "/ws";
        private String label = "hostile";
        private String headerToken;
        private String queryToken;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private int receiveBuffer = -1;
        private boolean reading = true;

        private Builder(URI base) {
            this.base = base;
        }

        public Builder path(String v) {
            path = v;
            return this;
        }

        public Builder label(String v) {
            label = v;
            return this;
        }

        /** The token in the {@code token} header (mini-program style). */
        public Builder token(String v) {
            headerToken = v;
            return this;
        }

        /** The token in the query string, {@code ?token=...} (browser style). */
        public Builder queryToken(String v) {
            queryToken = v;
            return this;
        }

        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** SO_RCVBUF, set before connecting so the TCP window is small from the start. */
        public Builder receiveBuffer(int bytes) {
            receiveBuffer = bytes;
            return this;
        }

        /** No reader thread: after the upgrade response nothing is read until {@link #drain}. */
        public Builder noReading() {
            reading = false;
            return this;
        }

        /** Sends the upgrade request, reads the answer and closes the socket; for refused upgrades. */
        public Response attempt() {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
                socket.setSoTimeout(10_000);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                sendRequest(socket, key());
                return HostileWire.readResponse(in, true);
            } catch (IOException e) {
                throw new AssertionError(label + ": upgrade request to " + base + path + " failed: " + e, e);
            } finally {
                closeQuietly(socket);
            }
        }

        /** Upgrades; fails unless the server answers 101 with the right accept key. */
        public HostileSocket open() {
            Socket socket = new Socket();
            try {
                if (receiveBuffer > 0) {
                    socket.setReceiveBufferSize(receiveBuffer);
                }
                socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
                socket.setSoTimeout(10_000);
                socket.setTcpNoDelay(true);
                InputStream in = new BufferedInputStream(socket.getInputStream(), receiveBuffer > 0 ? 512 : 8192);
                String key = key();
                sendRequest(socket, key);
                Response response = HostileWire.readResponse(in, false);
                if (response.status() != 101) {
                    throw new AssertionError(label + ": upgrade refused: " + response);
                }
                if (!HostileWire.accept(key).equals(response.headers().get("sec-websocket-accept"))) {
                    throw new AssertionError(label + ": bad Sec-WebSocket-Accept in " + response);
                }
                socket.setSoTimeout(0);
                HostileSocket ws = new HostileSocket(label, socket, in, response);
                if (reading) {
                    Thread reader = new Thread(ws::readLoop, "hostile-ws-" + label);
                    reader.setDaemon(true);
                    reader.start();
                }
                return ws;
            } catch (IOException e) {
                closeQuietly(socket);
                throw new AssertionError(label + ": upgrade of " + base + path + " failed: " + e, e);
            } catch (RuntimeException | Error e) {
                closeQuietly(socket);
                throw e;
            }
        }

        private void sendRequest(Socket socket, String key) throws IOException {
            String target = path + (queryToken == null ? ""
                    : (path.contains("?") ? "&" : "?") + "token=" + URLEncoder.encode(queryToken, StandardCharsets.UTF_8));
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(key).append("\r\nSec-WebSocket-Version: 13\r\n");
            if (headerToken != null) {
                request.append("token: ").append(headerToken).append("\r\n");
            }
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        }

        private static String key() {
            return Base64.getEncoder().encodeToString(HostileWire.randomBytes(16));
        }
    }

    /** The upgrade response (101) and its headers. */
    public Response response() {
        return response;
    }

    // ---------------------------------------------------------------- frames out

    /** One masked frame from first-byte flags ({@code FIN}, RSV bits) and opcode; ready to write. */
    public static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload) {
        return HostileWire.frame(fin, rsv, opcode, payload);
    }

    /** A whole masked text frame. */
    public static byte[] textFrame(String text) {
        return frame(true, 0, OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one masked frame; false when the connection is already broken. */
    public boolean sendFrame(boolean fin, int rsv, int opcode, byte[] payload) {
        return sendRaw(frame(fin, rsv, opcode, payload));
    }

    /** One whole masked text frame. */
    public boolean sendText(String text) {
        return sendRaw(textFrame(text));
    }

    /** Writes bytes as they are (any number of frames, or a broken one); false when the write failed. */
    public boolean sendRaw(byte[] bytes) {
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** As {@link #sendRaw}, but gives up (closing the socket) if the write is still blocked after {@code timeout}. */
    public Written sendRaw(byte[] bytes, Duration timeout) {
        return bounded(timeout, counter -> writeCounted(bytes, counter));
    }

    /**
     * Streams one masked frame of {@code length} payload bytes: {@code prefix} and then
     * {@code filler} up to the length, in 64 KiB writes, never holding the payload in memory. The
     * write gives up (closing the socket) if it has not finished within {@code timeout}: a node that
     * neither reads nor closes would otherwise block the test for ever.
     */
    public Written streamFrame(int opcode, long length, byte[] prefix, byte filler, Duration timeout) {
        return bounded(timeout, counter -> {
            writeCounted(HostileWire.header(true, 0, opcode, length), counter);
            writePayload(prefix, length, filler, counter);
        });
    }

    /**
     * Streams one message as {@code fragments} masked frames of {@code fragmentBytes} each (first
     * {@code opcode}, then continuations, FIN on the last), payload {@code prefix} then {@code filler}.
     */
    public Written streamFragments(int opcode, int fragments, int fragmentBytes, byte[] prefix, byte filler,
                                   Duration timeout) {
        return bounded(timeout, counter -> {
            long offset = 0;
            for (int i = 0; i < fragments; i++) {
                byte[] payload = new byte[fragmentBytes];
                for (int j = 0; j < fragmentBytes; j++, offset++) {
                    payload[j] = offset < prefix.length ? prefix[(int) offset] : filler;
                }
                writeCounted(frame(i == fragments - 1, 0, i == 0 ? opcode : OP_CONTINUATION, payload), counter);
            }
        });
    }

    private interface Writing {
        void run(AtomicLong counter) throws IOException;
    }

    private Written bounded(Duration timeout, Writing writing) {
        AtomicLong counter = new AtomicLong();
        CompletableFuture<String> done = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                synchronized (out) {
                    writing.run(counter);
                    out.flush();
                }
                done.complete(null);
            } catch (IOException e) {
                done.complete(e.toString());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "hostile-writer-" + label);
        writer.setDaemon(true);
        writer.start();
        try {
            String failure = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Written(counter.get(), failure == null, failure);
        } catch (TimeoutException e) {
            closeQuietly(socket); // unblocks the writer
            return new Written(counter.get(), false, "write still blocked after " + timeout.toMillis()
                    + " ms: the peer neither read nor closed");
        } catch (ExecutionException e) {
            throw new AssertionError(label + ": writer failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void writePayload(byte[] prefix, long length, byte filler, AtomicLong counter) throws IOException {
        byte[] mask = HostileWire.randomBytes(4);
        writeCounted(mask, counter);
        byte[] chunk = new byte[CHUNK];
        long offset = 0;
        while (offset < length) {
            int n = (int) Math.min(CHUNK, length - offset);
            for (int i = 0; i < n; i++) {
                long at = offset + i;
                byte b = at < prefix.length ? prefix[(int) at] : filler;
                chunk[i] = (byte) (b ^ mask[(int) (at % 4)]);
            }
            out.write(chunk, 0, n);
            counter.addAndGet(n);
            offset += n;
        }
    }

    private void writeCounted(byte[] bytes, AtomicLong counter) throws IOException {
        out.write(bytes);
        counter.addAndGet(bytes.length);
    }

    // ---------------------------------------------------------------- frames in

    /** Removes and returns the first queued text frame matching {@code match}, waiting up to {@code timeout}. */
    public JsonNode await(Predicate<JsonNode> match, Duration timeout, String what) {
        return inbox.take(match, timeout, what, false);
    }

    /**
     * The first queued text frame matching {@code match}, or null once the connection has ended
     * without one; fails if neither happens within {@code timeout}.
     */
    public JsonNode awaitOrEnd(Predicate<JsonNode> match, Duration timeout, String what) {
        return inbox.take(match, timeout, what, true);
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

    /**
     * For a socket opened with {@link Builder#noReading()}: reads everything the server sent, frame
     * by frame, until a close frame or the end of the connection, for at most {@code timeout}.
     */
    public Drained drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int texts = 0;
        long start = bytesRead.get();
        try {
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError(label + ": still open " + timeout.toMillis() + " ms into the drain, after "
                            + texts + " text frames");
                }
                socket.setSoTimeout((int) Math.max(1, left));
                Frame f;
                try {
                    f = readFrame();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (f.opcode == OP_CLOSE) {
                    Close close = closeOf(f.payload);
                    inbox.end(close);
                    closeQuietly(socket);
                    return new Drained(texts, bytesRead.get() - start, close);
                }
                if (f.opcode == OP_TEXT || f.opcode == OP_CONTINUATION) {
                    texts += f.fin ? 1 : 0;
                }
            }
        } catch (IOException e) {
            Close end = new Close(null, String.valueOf(e), System.nanoTime(), false);
            inbox.end(end);
            closeQuietly(socket);
            return new Drained(texts, bytesRead.get() - start, end);
        }
    }

    /** Sends a close frame (once) and shuts the socket. */
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

    private record Frame(boolean fin, int opcode, byte[] payload) {
    }

    private void readLoop() {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int messageOpcode = OP_TEXT;
        try {
            while (true) {
                Frame f = readFrame();
                if (f.opcode == OP_CLOSE) {
                    Close close = closeOf(f.payload);
                    sendClose(close.code() == null ? 1000 : close.code());
                    onEnd(close);
                    return;
                }
                if (f.opcode == OP_TEXT || f.opcode == OP_BINARY) {
                    messageOpcode = f.opcode;
                    message.reset();
                }
                if (f.opcode == OP_TEXT || f.opcode == OP_BINARY || f.opcode == OP_CONTINUATION) {
                    message.write(f.payload);
                    if (f.fin) {
                        onMessage(messageOpcode, message.toString(StandardCharsets.UTF_8));
                        message.reset();
                    }
                }
            }
        } catch (IOException e) {
            onEnd(new Close(null, String.valueOf(e), System.nanoTime(), false));
        }
    }

    private void onEnd(Close close) {
        inbox.end(close);
        closeQuietly(socket);
    }

    private Frame readFrame() throws IOException {
        int b0 = readByte();
        int b1 = readByte();
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
            throw new IOException("server frame of " + length + " bytes");
        }
        byte[] mask = masked ? in.readNBytes(4) : null;
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("connection ended inside a frame");
        }
        bytesRead.addAndGet(2 + length);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
        }
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    private static Close closeOf(byte[] payload) {
        Integer code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : null;
        String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        return new Close(code, code == null ? "close frame without a code" : reason, System.nanoTime(), true);
    }

    private void onMessage(int opcode, String text) {
        if (opcode == OP_BINARY) {
            inbox.addBinary();
        } else {
            inbox.addText(text);
        }
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
        sendFrame(true, 0, OP_CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
