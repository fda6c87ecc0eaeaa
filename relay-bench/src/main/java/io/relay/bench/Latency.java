package io.relay.bench;

import org.HdrHistogram.Histogram;

/** Percentiles of a histogram of microseconds, in milliseconds; all null when nothing was recorded. */
public record Latency(long count, Double p50, Double p90, Double p99, Double p999, Double max) {
    public static final Latency NONE = new Latency(0, null, null, null, null, null);

    public static Latency of(Histogram micros) {
        if (micros == null || micros.getTotalCount() == 0) {
            return NONE;
        }
        return new Latency(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(90)),
                ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()));
    }

    private static Double ms(long micros) {
        return micros / 1000.0;
    }
}
