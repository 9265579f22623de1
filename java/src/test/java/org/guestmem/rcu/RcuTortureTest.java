package org.guestmem.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** rcutorture's stress test (1 and several readers) and its perf modes as a smoke run, for every flavor. */
class RcuTortureTest {
    private static final Duration STRESS = Domains.duration(Duration.ofMillis(700), Duration.ofSeconds(5));
    private static final Duration PERF = Domains.duration(Duration.ofMillis(200), Duration.ofSeconds(1));

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void stressOneReader(Rcu.Flavor flavor) throws InterruptedException {
        stress(flavor, 1);
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void stressFiveReaders(Rcu.Flavor flavor) throws InterruptedException {
        stress(flavor, Domains.LONG ? 10 : 5);
    }

    private static void stress(Rcu.Flavor flavor, int readers) throws InterruptedException {
        try (Rcu rcu = Domains.open(flavor)) {
            Torture t = new Torture(rcu, rcu::synchronize);
            t.stress(readers, STRESS);
            System.out.println("rcutorture stress " + flavor + " " + readers + " readers: " + t.counts() + "  grace periods: " + rcu.gracePeriods());
            assertTrue(t.reads.get() > 0 && t.updates.get() > 0, t.counts());
            assertEquals(0, t.mbErrors.get(), "readers saw an uninitialised element: " + t.counts());
            assertEquals(0, t.tooOld(), "readers saw elements aged >= 2 grace periods: " + t.counts());
        }
    }

    @Test
    void withoutGracePeriodsTheStressTestSeesOldElements() throws InterruptedException {
        // The same harness with a synchronize that does not wait: the check must fire.
        try (Rcu rcu = Domains.open(Rcu.Flavor.FENCE)) {
            long tooOld = 0;
            for (int attempt = 0; attempt < 5 && tooOld == 0; attempt++) {
                Torture t = new Torture(rcu, Thread::yield);
                t.stress(4, Duration.ofMillis(200));
                tooOld = t.tooOld();
                System.out.println("rcutorture stress with a broken grace period: " + t.counts());
            }
            assertTrue(tooOld > 0, "a broken grace period went unnoticed by the stress test");
        }
    }

    @ParameterizedTest
    @MethodSource("org.guestmem.rcu.Domains#flavors")
    void perfModesSmoke(Rcu.Flavor flavor) throws InterruptedException {
        try (Rcu rcu = Domains.open(flavor)) {
            Torture perf = new Torture(rcu, rcu::synchronize);
            perf.perf(2, 1, PERF);
            Torture rperf = new Torture(rcu, rcu::synchronize);
            rperf.perf(2, 0, PERF);
            Torture uperf = new Torture(rcu, rcu::synchronize);
            uperf.perf(0, 2, PERF);
            report(flavor, "perf", perf, 2, 1);
            report(flavor, "rperf", rperf, 2, 0);
            report(flavor, "uperf", uperf, 0, 2);
            assertTrue(perf.reads.get() > 0 && perf.updates.get() > 0, "perf: both sides made progress");
            assertTrue(rperf.reads.get() > 0, "rperf: readers made progress");
            assertTrue(uperf.updates.get() > 0, "uperf: updaters made progress");
        }
    }

    private static void report(Rcu.Flavor flavor, String mode, Torture t, int readers, int updaters) {
        double ns = PERF.toNanos();
        System.out.printf("rcutorture %s %s: n_reads: %d  n_updates: %d  nreaders: %d  nupdaters: %d  ns/read: %.3g  ns/update: %.3g%n",
                mode, flavor, t.reads.get(), t.updates.get(), readers, updaters,
                ns * readers / t.reads.get(), ns * updaters / t.updates.get());
    }
}
