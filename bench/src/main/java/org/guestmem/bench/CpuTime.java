package org.guestmem.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CPU time of the benchmark thread over one JMH iteration, and the operations it did, as JMH
 * secondary results ({@code cpuNs}, {@code ops}): {@code cpuNs / ops} is the cost of an operation while the
 * thread was running, which other processes on a shared machine inflate far less than wall time. The
 * clock is read only at the iteration's start and end (reading it costs microseconds here); a benchmark
 * adds its operations per invocation to {@link #ops}. The C peers of the migration suite measure the same
 * way (CLOCK_THREAD_CPUTIME_ID). Confined to one benchmark thread.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds of the last iteration (set at its end). */
    public long cpuNs;
    /** Operations done in the iteration, added by the benchmark method. */
    public long ops;
    private long start;

    @Setup(Level.Iteration)
    public void start() {
        cpuNs = 0;
        ops = 0;
        start = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
        cpuNs = THREADS.getCurrentThreadCpuTime() - start;
    }
}
