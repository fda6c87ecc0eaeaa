package io.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relay.testing.ResumeSupport.Published;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes numbered messages to a room from its own thread, one after another (each acked before
 * the next is sent), until stopped or until {@code limit} messages: traffic that keeps flowing while
 * a test disconnects and resumes a reader. The connection must already be a member of the room.
 * Frames other than its own acks (the room's messages, presence events) are read and dropped, so a
 * long run costs no memory in the client's queue.
 */
public final class ResumePublisher {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final TestClient client;
    private final String room;
    private final String tag;
    private final int limit;
    private final List<Published> acks = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Throwable failure;

    private ResumePublisher(TestClient client, String room, String tag, int limit) {
        this.client = client;
        this.room = room;
        this.tag = tag;
        this.limit = limit;
        this.thread = new Thread(this::run, "publisher-" + tag);
        this.thread.setDaemon(true);
    }

    /** Starts publishing {@code {"tag":tag,"n":0}}, {@code {"tag":tag,"n":1}}, ... through {@code member}. */
    public static ResumePublisher start(TestClient member, String room, String tag, int limit) {
        ResumePublisher publisher = new ResumePublisher(member, room, tag, limit);
        publisher.thread.start();
        return publisher;
    }

    /** How many publishes were acknowledged so far. */
    public int acked() {
        synchronized (acks) {
            return acks.size();
        }
    }

    /** Asks the thread to stop after the publish in flight, waits for it, and returns every ack in order. */
    public List<Published> stop() {
        stopping = true;
        try {
            thread.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping " + tag, e);
        }
        if (thread.isAlive()) {
            throw new AssertionError("publisher " + tag + " did not stop within " + STOP_TIMEOUT.toSeconds() + " s");
        }
        if (failure != null) {
            throw new AssertionError("publisher " + tag + " failed: " + failure, failure);
        }
        synchronized (acks) {
            return List.copyOf(acks);
        }
    }

    /** Stops without reporting: for a test that already failed. */
    public void abandon() {
        stopping = true;
    }

    private void run() {
        try {
            for (int n = 0; n < limit && !stopping; n++) {
                ObjectNode data = ResumeSupport.data(tag, n);
                String id = tag + n;
                client.send(Json.obj("type", "publish", "id", id, "room", room, "data", data));
                JsonNode reply = client.expectType(replyTo(ResumeSupport.id(id)), "ack");
                synchronized (acks) {
                    acks.add(new Published(reply.path("offset").asText(), data));
                }
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** Reads frames in arrival order until the reply to {@code id}, dropping the others. */
    private JsonNode replyTo(JsonNode id) {
        while (true) {
            JsonNode frame = client.await(Frames.any(), ResumeSupport.ACK_TIMEOUT, "the reply to " + id);
            if (id.equals(frame.get("id"))) {
                return frame;
            }
        }
    }
}
