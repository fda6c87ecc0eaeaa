package io.relay.bench;

/**
 * One publishing window: its rate per publisher and length, the delivery tally, deliveries per
 * second (distinct deliveries over the time from the first intended send to the last delivery),
 * latency from intended send to receipt, how late sends left, server and client CPU.
 */
public record Measurement(double rate, double seconds, DeliveryLedger.Tally tally, double deliveriesPerS,
                          Latency latency, Latency sendLag, ServerUsage server, double clientCpuPct,
                          long disconnects, long errors) {

    /** The client itself may be what limits the figures: a core nearly full, or sends leaving late. */
    public boolean clientSaturated() {
        return clientCpuPct > 90 || (sendLag.p99() != null && sendLag.p99() > 50);
    }

    /** A saturate step passes: p99 within the limit and no loss, duplicate or disconnect. */
    public boolean passes(double p99LimitMs) {
        return latency.p99() != null && latency.p99() <= p99LimitMs && tally.loss() == 0
                && tally.duplicates() == 0 && disconnects == 0;
    }

    /** Why a step failed, for the report. */
    public String failure(double p99LimitMs) {
        if (disconnects > 0) {
            return "disconnects";
        }
        if (tally.loss() > 0) {
            return "loss";
        }
        if (tally.duplicates() > 0) {
            return "duplicates";
        }
        return latency.p99() == null ? "no deliveries" : "p99 " + latency.p99() + " ms > " + p99LimitMs + " ms";
    }
}
