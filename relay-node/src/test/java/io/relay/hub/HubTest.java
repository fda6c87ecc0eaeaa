package io.relay.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HubTest {
    private final Lanes lanes = Lanes.threads(2, 1000, "test-lane");
    private final Hub hub = new Hub(lanes, 3);

    /** Records what it receives; all calls come from one lane thread. */
    private static final class Recorder implements Subscriber {
        final List<String> frames = new ArrayList<>();
        volatile boolean overflowed;

        @Override
        public void deliver(ByteBuffer frame) {
            frames.add(StandardCharsets.UTF_8.decode(frame).toString());
        }

        @Override
        public void overflowed() {
            overflowed = true;
        }
    }

    @AfterEach
    void stop() {
        lanes.close();
    }

    @Test
    void everyLiveSubscriberGetsTheSameFramesInOrder() throws Exception {
        Recorder a = join("r", new Recorder(), 0);
        Recorder b = join("r", new Recorder(), 0);
        for (int i = 1; i <= 50; i++) {
            hub.deliver("r", raw("m" + i), at(i));
        }
        drain("r");
        assertThat(a.frames).hasSize(51).isEqualTo(b.frames);
        assertThat(a.frames.get(1)).isEqualTo("m1");
    }

    @Test
    void aJoiningSubscriberGetsItsReplyThenOnlyFramesAfterItsOffset() throws Exception {
        Recorder s = new Recorder();
        hub.addPending("r", s);
        hub.deliver("r", raw("old"), at(4));
        hub.deliver("r", raw("event"), at(-1));
        hub.deliver("r", raw("new"), at(6));
        hub.activate("r", s, List.of(bytes("joined"), bytes("replayed")), at(5));
        hub.deliver("r", raw("live"), at(7));
        drain("r");
        assertThat(s.frames).containsExactly("joined", "replayed", "event", "new", "live");
    }

    @Test
    void aRemovedSubscriberGetsNothingMore() throws Exception {
        Recorder s = join("r", new Recorder(), 0);
        hub.remove("r", s);
        hub.deliver("r", raw("after"), at(1));
        drain("r");
        assertThat(s.frames).containsExactly("joined");
        assertThat(hub.roomCount()).isZero();
    }

    @Test
    void aJoiningSubscriberThatFallsTooFarBehindIsToldSo() throws Exception {
        Recorder s = new Recorder();
        hub.addPending("r", s);
        for (int i = 1; i <= 4; i++) {
            hub.deliver("r", raw("m" + i), at(i));
        }
        hub.activate("r", s, List.of(bytes("joined")), at(0));
        drain("r");
        assertThat(s.overflowed).isTrue();
        assertThat(s.frames).isEmpty();
    }

    @Test
    void roomsDoNotLeakIntoEachOther() throws Exception {
        Recorder a = join("a", new Recorder(), 0);
        Recorder b = join("b", new Recorder(), 0);
        hub.deliver("a", raw("for a"), at(1));
        drain("a");
        drain("b");
        assertThat(a.frames).containsExactly("joined", "for a");
        assertThat(b.frames).containsExactly("joined");
    }

    private Recorder join(String room, Recorder s, long afterSeq) {
        hub.addPending(room, s);
        hub.activate(room, s, List.of(bytes("joined")), at(afterSeq));
        return s;
    }

    private void drain(String room) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        hub.run(room, done::countDown);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void whileSuspendedLiveFramesWaitForTheRepairedOnes() throws Exception {
        Recorder s = join("r", new Recorder(), 2);
        Recorder joining = new Recorder();
        hub.addPending("r", joining);
        drain("r");
        hub.suspendAll();
        hub.activate("r", joining, List.of(bytes("joined-late")), at(3));
        hub.deliver("r", raw("m5"), at(5));
        drain("r");
        assertThat(s.frames).containsExactly("joined");
        assertThat(hub.position("r").toCompletableFuture().get()).isEqualTo(at(2));

        hub.resume("r", List.of(new Sequenced(bytes("m3"), 3), new Sequenced(bytes("m4"), 4)), at(4));
        hub.deliver("r", raw("m6"), at(6));
        drain("r");
        assertThat(s.frames).containsExactly("joined", "m3", "m4", "m5", "m6");
        assertThat(joining.frames).containsExactly("joined-late", "m4", "m5", "m6");
    }

    @Test
    void aJoinWhoseReadOvertookLiveFramesDoesNotGetThemTwice() throws Exception {
        Recorder early = join("r", new Recorder(), 8);
        Recorder late = new Recorder();
        hub.addPending("r", late);
        hub.activate("r", late, List.of(bytes("joined"), bytes("m9"), bytes("m10")), at(10));
        hub.deliver("r", raw("m9"), at(9));   // sent by Redis before the read, arriving after it
        hub.deliver("r", raw("m10"), at(10));
        hub.deliver("r", raw("m11"), at(11));
        drain("r");
        assertThat(early.frames).containsExactly("joined", "m9", "m10", "m11");
        assertThat(late.frames).containsExactly("joined", "m9", "m10", "m11");
    }

    @Test
    void aRepairThatOvertookLiveFramesDoesNotDeliverThemTwice() throws Exception {
        Recorder s = join("r", new Recorder(), 2);
        hub.suspendAll();
        hub.resume("r", List.of(new Sequenced(bytes("m3"), 3), new Sequenced(bytes("m4"), 4)), at(4));
        hub.deliver("r", raw("m4"), at(4));
        hub.deliver("r", raw("m5"), at(5));
        drain("r");
        assertThat(s.frames).containsExactly("joined", "m3", "m4", "m5");
    }

    private static Position at(long seq) {
        return seq < 0 ? Position.NONE : new Position("e", seq);
    }

    private static byte[] raw(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
