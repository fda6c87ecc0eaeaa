package io.relay.bench;

import java.lang.management.ManagementFactory;

/** CPU time of this process (the load generator), to flag a saturated client. */
final class ClientCpu {
    private ClientCpu() {
    }

    /** CPU nanoseconds used by this process so far, or -1 when the JVM cannot tell. */
    static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
    }

    /** Percent of one core used between two readings {@code wallNanos} apart. */
    static double percent(long cpuFrom, long cpuTo, long wallNanos) {
        if (cpuFrom < 0 || cpuTo < 0 || wallNanos <= 0) {
            return -1;
        }
        return Math.round(1000.0 * (cpuTo - cpuFrom) / wallNanos) / 10.0;
    }
}
