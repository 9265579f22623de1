package org.guestmem.rcu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * QEMU's rcutorture stress and perf modes, re-implemented from their description. Stress: one updater
 * cycles through a pipe of {@link #PIPE_LEN} elements, publishing one and ageing every other after each
 * publish, then waiting for a grace period; readers record the age of the element they hold at the end of
 * their section. A reader must never see age 2 or more (the element would have survived a full grace
 * period while still referenced), and must always see a published element initialised ({@code mbtest}).
 *
 * <p>{@code synchronize} is a parameter so that a deliberately broken grace period can show that the
 * check fails.
 */
final class Torture {
    static final int PIPE_LEN = 10;
    private static final int INIT = 0;
    private static final int RUN = 1;
    private static final int STOP = 2;
    private static final VarHandle CURRENT;
    private static final VarHandle GO;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CURRENT = l.findVarHandle(Torture.class, "current", Element.class);
            GO = l.findVarHandle(Torture.class, "go", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A pipe element; age and mbtest are written by the updater and read by readers (opaque, via the arrays). */
    static final class Element {
        final int index;

        Element(int index) {
            this.index = index;
        }
    }

    // age[i], mbtest[i]: written by the updater, read by readers inside sections (AtomicIntegerArray would do;
    // longs keep it one class). Opaque suffices for age: the grace period, not these accesses, orders them.
    private final AtomicLongArray age = new AtomicLongArray(PIPE_LEN);
    private final AtomicLongArray mbtest = new AtomicLongArray(PIPE_LEN);
    private final Element[] pipe = new Element[PIPE_LEN];
    // Published by the updater with release, read by readers with acquire (rcu_set / rcu_read).
    @SuppressWarnings("unused")
    private Element current;
    // goflag: set by the test thread, read by every worker (volatile via GO).
    @SuppressWarnings("unused")
    private int go = INIT;

    final AtomicLongArray stressCount = new AtomicLongArray(PIPE_LEN + 1);
    final AtomicLong reads = new AtomicLong();
    final AtomicLong updates = new AtomicLong();
    final AtomicLong mbErrors = new AtomicLong();

    private final Rcu rcu;
    private final Runnable synchronize;

    Torture(Rcu rcu, Runnable synchronize) {
        this.rcu = rcu;
        this.synchronize = synchronize;
        for (int i = 0; i < PIPE_LEN; i++) {
            pipe[i] = new Element(i);
        }
        mbtest.set(0, 1);
        CURRENT.setRelease(this, pipe[0]);
    }

    /** Stress mode: {@code readers} readers, one updater, five fake updaters, for {@code duration}. */
    void stress(int readers, Duration duration) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            threads.add(start("torture-reader-" + i, this::stressReader));
        }
        threads.add(start("torture-updater", this::stressUpdater));
        for (int i = 0; i < 5; i++) {
            threads.add(start("torture-fake-updater-" + i, this::fakeUpdater));
        }
        run(threads, duration);
    }

    /** Perf modes: {@code readers} empty-section readers and {@code updaters} synchronize loops. */
    void perf(int readers, int updaters, Duration duration) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            threads.add(start("perf-reader-" + i, this::perfReader));
        }
        for (int i = 0; i < updaters; i++) {
            threads.add(start("perf-updater-" + i, this::perfUpdater));
        }
        run(threads, duration);
    }

    /** Sum of the stress counts for ages 2 and more: must be 0. */
    long tooOld() {
        long n = 0;
        for (int i = 2; i <= PIPE_LEN; i++) {
            n += stressCount.get(i);
        }
        return n;
    }

    String counts() {
        StringBuilder b = new StringBuilder("n_reads: " + reads.get() + "  n_updates: " + updates.get()
                + "  n_mberror: " + mbErrors.get() + "  rcu_stress_count:");
        for (int i = 0; i <= PIPE_LEN; i++) {
            b.append(' ').append(stressCount.get(i));
        }
        return b.toString();
    }

    private boolean running() {
        return (int) GO.getVolatile(this) == RUN;
    }

    private void waitForStart() {
        while ((int) GO.getVolatile(this) == INIT) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void stressReader() {
        boolean qsbr = rcu.flavor() == Rcu.Flavor.QSBR;
        if (qsbr) {
            rcu.registerThread(); // vCPU-style: online, quiescent state after every section
        }
        long[] local = new long[PIPE_LEN + 1];
        long n = 0;
        long dummy = 0;
        waitForStart();
        while (running()) {
            long pc;
            try (ReadSection s = rcu.read()) {
                Element p = (Element) CURRENT.getAcquire(this);
                if (mbtest.getOpaque(p.index) == 0) {
                    mbErrors.incrementAndGet();
                }
                try (ReadSection nested = rcu.read()) {
                    for (int i = 0; i < 100; i++) {
                        dummy += i; // a little work inside a nested section
                    }
                }
                pc = age.getOpaque(p.index);
            }
            if (qsbr) {
                rcu.quiescentState();
            }
            local[(int) Math.max(0, Math.min(PIPE_LEN, pc))]++;
            n++;
        }
        if (qsbr) {
            rcu.unregisterThread();
        }
        for (int i = 0; i <= PIPE_LEN; i++) {
            stressCount.addAndGet(i, local[i]);
        }
        reads.addAndGet(n + (dummy == 42 ? 1 : 0) * 0);
    }

    private void stressUpdater() {
        int idx = 0;
        Element previous = (Element) CURRENT.getAcquire(this);
        waitForStart();
        while (running()) {
            idx = (idx + 1) % PIPE_LEN;
            Element p = pipe[idx];
            if (p == previous) {
                throw new AssertionError("the pipe handed out the current element again");
            }
            mbtest.setOpaque(idx, 0);
            VarHandle.fullFence();
            age.setOpaque(idx, 0);
            mbtest.setOpaque(idx, 1);
            // rcu_set: release; pairs with the readers' acquire of CURRENT.
            CURRENT.setRelease(this, p);
            previous = p;
            for (int i = 0; i < PIPE_LEN; i++) {
                if (i != idx) {
                    age.setOpaque(i, age.getOpaque(i) + 1);
                }
            }
            synchronize.run();
            updates.incrementAndGet();
        }
    }

    private void fakeUpdater() {
        waitForStart();
        while (running()) {
            synchronize.run();
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void perfReader() {
        boolean qsbr = rcu.flavor() == Rcu.Flavor.QSBR;
        if (qsbr) {
            rcu.registerThread();
        }
        RcuReader reader = rcu.reader();
        long n = 0;
        waitForStart();
        while (running()) {
            for (int i = 0; i < 1000; i++) {
                try (ReadSection s = reader.read()) {
                    // empty section
                }
            }
            if (qsbr) {
                reader.quiescentState();
            }
            n += 1000;
        }
        rcu.unregisterThread();
        reads.addAndGet(n);
    }

    private void perfUpdater() {
        long n = 0;
        waitForStart();
        while (running()) {
            synchronize.run();
            n++;
        }
        updates.addAndGet(n);
    }

    private void run(List<Thread> threads, Duration duration) throws InterruptedException {
        GO.setVolatile(this, RUN);
        Thread.sleep(duration);
        GO.setVolatile(this, STOP);
        for (Thread t : threads) {
            t.join();
        }
    }

    private static Thread start(String name, Runnable body) {
        return Thread.ofPlatform().name(name).start(body);
    }
}
