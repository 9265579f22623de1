package org.guestmem.rcu;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Opens RCU domains for tests: every flavor, MEMBARRIER skipped with its reason where it is unavailable. */
final class Domains {
    /** -Dguestmem.long=true runs the stress tests for their long (QEMU "thorough") durations. */
    static final boolean LONG = Boolean.getBoolean("guestmem.long");

    private Domains() {}

    static Stream<Rcu.Flavor> flavors() {
        return Stream.of(Rcu.Flavor.values());
    }

    /** A new domain of {@code flavor}; aborts the test (skipped, with the reason) if MEMBARRIER is unavailable. */
    static Rcu open(Rcu.Flavor flavor) {
        return open(flavor, Rcu.DEFAULT_MAX_READERS);
    }

    static Rcu open(Rcu.Flavor flavor, int maxReaders) {
        if (flavor == Rcu.Flavor.MEMBARRIER) {
            String problem = MembarrierSupport.problem();
            Assumptions.assumeTrue(problem == null, () -> "MEMBARRIER flavor skipped: " + problem);
        }
        return Rcu.create(flavor, maxReaders);
    }

    /** {@code quick} by default, {@code thorough} with -Dguestmem.long=true. */
    static Duration duration(Duration quick, Duration thorough) {
        return LONG ? thorough : quick;
    }
}
