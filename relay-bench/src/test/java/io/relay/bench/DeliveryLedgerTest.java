package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {
    /** 2 rooms x 3 subscribers, 1 publisher each: subscribers 0-2 and publisher 0 in room 0. */
    private final Topology topology = new Topology(2, 3, 1, List.of(URI.create("ws://x/ws")), List.of(), "r", "u");
    private final DeliveryLedger ledger = new DeliveryLedger(topology, 100, 10);

    @Test
    void everyAckedMessageIsExpectedOnceAtEachSubscriberOfItsRoom() {
        sendAndAck(0, 100, 101);
        for (int s = 0; s < 3; s++) {
            deliver(s, 0, 100);
            deliver(s, 0, 101);
        }
        DeliveryLedger.Tally t = ledger.tally();
        assertThat(t.sent()).isEqualTo(2);
        assertThat(t.acked()).isEqualTo(2);
        assertThat(t.expected()).isEqualTo(6);
        assertThat(t.delivered()).isEqualTo(6);
        assertThat(t.loss()).isZero();
        assertThat(t.duplicates()).isZero();
        assertThat(ledger.complete()).isTrue();
        assertThat(ledger.latencies().getTotalCount()).isEqualTo(6);
    }

    @Test
    void countsMissingDeliveriesAsLossAndRepeatsAsDuplicates() {
        sendAndAck(0, 100, 101, 102);
        deliver(0, 0, 100);
        deliver(0, 0, 100);           // duplicate
        deliver(0, 0, 100);           // duplicate
        deliver(1, 0, 100);
        deliver(0, 0, 101);
        // subscriber 2 got nothing, 102 reached no one
        DeliveryLedger.Tally t = ledger.tally();
        assertThat(t.expected()).isEqualTo(9);
        assertThat(t.delivered()).isEqualTo(3);
        assertThat(t.loss()).isEqualTo(6);
        assertThat(t.duplicates()).isEqualTo(2);
        assertThat(ledger.complete()).isFalse();
    }

    @Test
    void aMessageNeverAckedIsNotExpectedButItsDeliveriesAreCounted() {
        ledger.sent(0, 100);
        deliver(0, 0, 100);
        DeliveryLedger.Tally t = ledger.tally();
        assertThat(t.sent()).isEqualTo(1);
        assertThat(t.acked()).isZero();
        assertThat(t.expected()).isZero();
        assertThat(t.loss()).isZero();
        assertThat(t.delivered()).isEqualTo(1);
        assertThat(t.unackedDelivered()).isEqualTo(1);
        assertThat(ledger.complete()).isFalse(); // still waiting for the ack
    }

    @Test
    void anotherWindowsMessagesAndAnotherRoomsPublishersAreLeftOut() {
        sendAndAck(0, 100);
        assertThat(ledger.acked(0, 99)).isFalse();
        assertThat(ledger.delivered(0, 0, 99, 1000, 1)).isEqualTo(DeliveryLedger.Outcome.STALE);
        assertThat(ledger.delivered(0, 0, 110, 1000, 1)).isEqualTo(DeliveryLedger.Outcome.STALE);
        assertThat(ledger.delivered(0, 1, 100, 1000, 1)).isEqualTo(DeliveryLedger.Outcome.FOREIGN);
        assertThat(ledger.delivered(0, 7, 100, 1000, 1)).isEqualTo(DeliveryLedger.Outcome.FOREIGN);
        DeliveryLedger.Tally t = ledger.tally();
        assertThat(t.stale()).isEqualTo(3);
        assertThat(t.delivered()).isZero();
        assertThat(t.loss()).isEqualTo(3);
    }

    @Test
    void aRepeatedAckCountsOnce() {
        sendAndAck(0, 100);
        ledger.acked(0, 100);
        assertThat(ledger.tally().acked()).isEqualTo(1);
        assertThat(ledger.tally().expected()).isEqualTo(3);
    }

    @Test
    void latencyIsRecordedInMicrosecondsAndLastDeliveryIsKept() {
        sendAndAck(1, 100);
        assertThat(ledger.delivered(3, 1, 100, 2_500_000, 777)).isEqualTo(DeliveryLedger.Outcome.NEW);
        assertThat(ledger.delivered(3, 1, 100, 9_000_000, 999)).isEqualTo(DeliveryLedger.Outcome.DUPLICATE);
        assertThat(ledger.lastDelivery()).isEqualTo(777);
        Latency l = Latency.of(ledger.latencies());
        assertThat(l.count()).isEqualTo(1);
        assertThat(l.max()).isBetween(2.49, 2.51);
    }

    @Test
    void severalPublishersPerRoomAreTrackedApart() {
        Topology two = new Topology(1, 2, 2, List.of(URI.create("ws://x/ws")), List.of(), "r", "u");
        DeliveryLedger l = new DeliveryLedger(two, 0, 5);
        for (int p = 0; p < 2; p++) {
            l.sent(p, 0);
            l.acked(p, 0);
        }
        l.delivered(0, 0, 0, 1, 1);
        l.delivered(0, 1, 0, 1, 1);
        l.delivered(1, 1, 0, 1, 1);
        DeliveryLedger.Tally t = l.tally();
        assertThat(t.expected()).isEqualTo(4);
        assertThat(t.delivered()).isEqualTo(3);
        assertThat(t.loss()).isEqualTo(1);
        assertThat(t.duplicates()).isZero();
    }

    private void sendAndAck(int p, long... seqs) {
        for (long seq : seqs) {
            ledger.sent(p, seq);
            assertThat(ledger.acked(p, seq)).isTrue();
        }
    }

    private void deliver(int s, int p, long seq) {
        ledger.delivered(s, p, seq, 1_000_000, System.nanoTime());
    }
}
