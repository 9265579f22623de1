/**
 * RCU for guestmem: {@link org.guestmem.rcu.Rcu} (a domain with nesting read sections, {@code synchronize},
 * {@code callRcu}, {@code drain}; flavors FENCE, MEMBARRIER, QSBR) and {@link org.guestmem.rcu.RcuList}
 * (QEMU's {@code QLIST_*_RCU}).
 *
 * <h2>Ordering vocabulary</h2>
 * Every shared access says its ordering in {@code VarHandle} words, which map one to one onto C11:
 * <ul>
 * <li>{@code getOpaque}/{@code setOpaque}: relaxed ({@code memory_order_relaxed}, QEMU {@code qatomic_read/set});</li>
 * <li>{@code getAcquire}: acquire; {@code setRelease}: release;</li>
 * <li>{@code getVolatile}/{@code setVolatile}, {@code compareAndSet}, {@code getAndSet}: seq_cst;</li>
 * <li>{@code VarHandle.fullFence()}: {@code atomic_thread_fence(memory_order_seq_cst)} (QEMU {@code smp_mb});</li>
 * <li>{@code releaseFence()+acquireFence()} as used by {@link org.guestmem.rcu.RcuFences#readerCompilerOnly()}:
 *     the compiler-only barrier of the MEMBARRIER flavor (QEMU {@code smp_mb_placeholder} with membarrier;
 *     HotSpot behaviour, outside the JMM).</li>
 * </ul>
 * Each ordered access carries a comment naming the step it implements and the access it pairs with. The
 * steps of the reader-table protocol (RL-, RU-, QS-, ON-, OFF-, GP-) are defined in
 * {@link org.guestmem.rcu.RcuReaderTableDescriptor}; the C side uses the same names.
 */
package org.guestmem.rcu;
