package org.guestmem.stress;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A busy delay that widens a race window the way the real code can be delayed there (an interrupt, a cache
 * miss, a preemption): the C harness's {@code gm_litmus_delay}/{@code gm_litmus_jitter} and the RamList's
 * {@code beforeMruStore} test hook serve the same purpose. It changes when a step runs, never what it does or
 * how it is ordered: the delay touches only the calling actor's own plain data.
 */
final class RaceWindow {
    private RaceWindow() {}

    /** A delay length in [0, span), drawn when a state is made (so it changes from sample to sample). */
    static int jitter(int span) {
        return ThreadLocalRandom.current().nextInt(span);
    }

    /**
     * Spins about {@code turns} dependent multiply-adds and returns the result, which the caller stores
     * into a field of its own so the JIT cannot drop the loop.
     */
    static int spin(int turns) {
        int x = turns;
        for (int k = 0; k < turns; k++) {
            x = x * 1103515245 + 12345;
        }
        return x;
    }
}
