/**
 * Dirty-page tracking (QEMU's {@code physical_memory_*} dirty functions): {@link org.guestmem.dirty.DirtyMemory}
 * keeps one bitmap per {@link org.guestmem.dirty.DirtyClient} over the RAM-address space, in chunks of
 * {@link org.guestmem.dirty.DirtyBitmap} that grow under RCU and never move.
 *
 * <p>The shared layout (Java and C) and the protocol steps ({@code DS-} set, {@code DT-} take, {@code DG-} grow,
 * {@code DR-} read) are defined once, in {@link org.guestmem.dirty.DirtyBitmapDescriptor}; every ordered access
 * in this package names its step. Ordering words are those of {@code org.guestmem.rcu}'s package documentation
 * ({@code getOpaque} relaxed, {@code getAcquire}/{@code setRelease}, read-modify-writes seq_cst).
 */
package org.guestmem.dirty;
