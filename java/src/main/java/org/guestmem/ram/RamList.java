package org.guestmem.ram;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.lang3.Validate;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.host.HostMapping;
import org.guestmem.host.HostMemory;
import org.guestmem.rcu.Rcu;

/**
 * The guest's RAM blocks (QEMU's {@code ram_list}): a mutex-serialised updater that adds, frees and
 * resizes blocks, and lock-free readers that translate RAM addresses inside RCU read sections.
 * The ordering contract is ORDERING.md, step by step; the step names appear in the code.
 *
 * <p>Shared state, who writes it, who reads it:
 * <ul>
 * <li>{@code snapshot}: the block list as an immutable {@link BlockSnapshot}. Written by the updater
 *     under {@code mutex} with a release store (W-1-1, W-2-1); read by readers with an acquire load
 *     inside a read section (QEMU's rcu_dereference).</li>
 * <li>{@code mruBlock}: last block a lookup found. Written by readers (cache fill) and the updater
 *     (cleared to null), read by readers; relaxed (opaque) on both sides, as ORDERING.md explains.</li>
 * <li>{@code version}: bumped by every add and free. The updater stores {@code version + 1} with release
 *     (W-1-2, W-2-2); readers load it with acquire where a cursor is filled (R-1-1) and relaxed where it is
 *     checked (R-2-1), see {@link MigrationCursor}.</li>
 * </ul>
 *
 * <p>The stale-MRU race of ORDERING.md (a reader stores a block into {@code mruBlock} after the updater
 * cleared it) is made harmless: free marks the block removed before clearing {@code mruBlock}, and an MRU
 * hit on a removed block is treated as a miss (and the stale entry is cleared with a CAS). A reader whose
 * section starts after the block's grace period is guaranteed by RCU to see the mark; a reader whose
 * section started earlier may still use the block, which is alive until that section ends.
 */
public final class RamList implements AutoCloseable {
    private static final VarHandle SNAPSHOT, MRU, VERSION;

    static {
        try {
            var l = MethodHandles.lookup();
            SNAPSHOT = l.findVarHandle(RamList.class, "snapshot", BlockSnapshot.class);
            MRU = l.findVarHandle(RamList.class, "mruBlock", RamBlock.class);
            VERSION = l.findVarHandle(RamList.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Rcu rcu;
    private final long targetPageSize;
    private final DirtyMemory dirty;
    private final ReentrantLock mutex = new ReentrantLock();
    private final List<RamListListener> listeners = new CopyOnWriteArrayList<>();
    /** The blocks as C readers see them; republished with every snapshot, under the mutex. */
    private final NativeBlockTable nativeTable = new NativeBlockTable();
    /** Test hook: the broken variant that trusts a stale MRU entry (never set outside tests). */
    final boolean trustStaleMru;
    /** Test hook run between a miss's search and its MRU store, to widen the race window; null in production. */
    volatile Runnable beforeMruStore;

    /** Release-published by the updater under mutex (W-1-1, W-2-1); acquire-read by readers. */
    @SuppressWarnings("unused")
    private BlockSnapshot snapshot = BlockSnapshot.EMPTY;
    /** Opaque both sides: readers fill it, the updater clears it (ORDERING.md "Why mruBlock may be relaxed"). */
    @SuppressWarnings("unused")
    private RamBlock mruBlock;
    /** Written only by the mutex holder with release (W-1-2, W-2-2); read with acquire (R-1-1) or opaque (R-2-1). */
    @SuppressWarnings("unused")
    private long version;
    private boolean closed; // guarded by mutex

    /** A list whose dirty tracking and offsets use {@code targetPageSize} (4096 on x86 guests). */
    public RamList(Rcu rcu, long targetPageSize) {
        this(rcu, targetPageSize, false);
    }

    RamList(Rcu rcu, long targetPageSize, boolean trustStaleMru) {
        this.rcu = Objects.requireNonNull(rcu, "rcu");
        Validate.isTrue(targetPageSize >= 1024 && Long.bitCount(targetPageSize) == 1,
                "target page size %d must be a power of two >= 1024 (migration flags live below bit 10)", targetPageSize);
        this.targetPageSize = targetPageSize;
        this.dirty = new DirtyMemory(rcu, targetPageSize);
        this.trustStaleMru = trustStaleMru;
    }

    public Rcu rcu() {
        return rcu;
    }

    public DirtyMemory dirtyMemory() {
        return dirty;
    }

    public long targetPageSize() {
        return targetPageSize;
    }

    public void addListener(RamListListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    public void removeListener(RamListListener l) {
        listeners.remove(l);
    }

    // ------------------------------------------------------------------------------------ updater side

    /** Adds a block (QEMU's ram_block_add): best-fit offset, list kept max-size descending, marked fully dirty. */
    public RamBlock add(RamBlockSpec spec) {
        Objects.requireNonNull(spec, "spec");
        checkPageMultiple(spec.name(), "used length", spec.usedLength());
        checkPageMultiple(spec.name(), "max length", spec.maxLength());
        mutex.lock();
        try {
            Validate.validState(!closed, "RamList is closed");
            BlockSnapshot cur = snapshot();
            Validate.isTrue(!cur.byName.containsKey(spec.name()), "a block named '%s' already exists", spec.name());
            listeners.forEach(l -> l.checkHotplug(spec, null));
            long offset = RamOffsets.find(cur, spec.maxLength(), targetPageSize);
            HostMapping mapping = map(spec);
            RamBlock block = new RamBlock(spec, offset, pageSizeOf(spec), mapping);
            dirty.grow(offset + spec.maxLength());
            dirty.setDirtyRange(offset, spec.usedLength(), DirtyClient.ALL);
            BlockSnapshot next = cur.with(block);
            long v = (long) VERSION.get(this) + 1;              // plain read: only the mutex holder writes it
            SNAPSHOT.setRelease(this, next);                    // W-1-1: publish the new list; pairs with the acquire in snapshot()
            Runnable oldTable = nativeTable.publish(v, entries(next)); // W-1-1 for C readers (release in NativeBlockTable)
            MRU.setOpaque(this, null);                          // as QEMU: the cache restarts empty
            VERSION.setRelease(this, v);                        // W-1-2: release; pairs with the acquire of R-1-1 (MigrationCursor#begin)
            nativeTable.publishVersion(v);                      // W-1-2 for C readers
            rcu.callRcu(oldTable);                              // the replaced table may still be read by C readers
            listeners.forEach(l -> l.blockAdded(block));
            return block;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Frees a block (QEMU's qemu_ram_free): unlinks it, bumps the version, and closes its memory in an
     * RCU callback after a grace period. Any later access through the block's segment throws.
     */
    public void free(RamBlock block) {
        Objects.requireNonNull(block, "block");
        mutex.lock();
        try {
            BlockSnapshot cur = snapshot();
            Validate.validState(!block.isRemoved(), "block '%s' was already freed", block.name());
            Validate.isTrue(cur.byName.get(block.name()) == block, "block '%s' does not belong to this RamList", block.name());
            listeners.forEach(l -> l.checkHotplug(null, block));
            block.markRemoved();                                 // before the clear: see the class comment
            BlockSnapshot next = cur.without(block);
            long v = (long) VERSION.get(this) + 1;              // plain read: only the mutex holder writes it
            SNAPSHOT.setRelease(this, next);                    // W-2-1: unlink; readers already on it may finish
            Runnable oldTable = nativeTable.publish(v, entries(next)); // W-2-1 for C readers
            MRU.setOpaque(this, null);                          // clear the cache (relaxed; the grace period orders it)
            VERSION.setRelease(this, v);                        // W-2-2: release; seen by R-2-1 after the grace period
            nativeTable.publishVersion(v);                      // W-2-2 for C readers
            rcu.callRcu(() -> {                                 // W-2-3: reclaim after a grace period
                oldTable.run();
                block.mapping().close();
            });
            listeners.forEach(l -> l.blockRemoved(block));
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Changes a resizeable block's used length (QEMU's qemu_ram_resize): up to its max length; marks the
     * block dirty for every client and tells listeners (migration cancels itself on a migratable block).
     * Does not bump the version: the block does not move.
     */
    public void resize(RamBlock block, long newUsedLength) {
        Objects.requireNonNull(block, "block");
        mutex.lock();
        try {
            Validate.validState(!block.isRemoved(), "block '%s' was freed", block.name());
            Validate.isTrue(snapshot().byName.get(block.name()) == block, "block '%s' does not belong to this RamList", block.name());
            Validate.isTrue(block.isResizeable(), "block '%s' is not resizeable", block.name());
            Validate.isTrue(newUsedLength > 0 && newUsedLength <= block.maxLength(),
                    "block '%s': new used length %d is outside (0, max length %d]", block.name(), newUsedLength, block.maxLength());
            checkPageMultiple(block.name(), "new used length", newUsedLength);
            long old = block.usedLength();
            if (old == newUsedLength) {
                return;
            }
            block.setUsedLength(newUsedLength);
            rcu.callRcu(nativeTable.publish(version(), entries(snapshot()))); // C readers see the new used length
            dirty.setDirtyRange(block.offset(), newUsedLength, DirtyClient.ALL);
            listeners.forEach(l -> l.blockResized(block, old, newUsedLength));
        } finally {
            mutex.unlock();
        }
    }

    // ------------------------------------------------------------------------------------ reader side

    /**
     * The block holding RAM address {@code ramAddr} (QEMU's qemu_get_ram_block). Call inside a read
     * section of {@link #rcu()}; the block stays valid until that section ends. Like QEMU the whole
     * {@code [offset, offset + maxLength)} resolves. Unknown addresses throw (QEMU aborts).
     */
    public RamBlock lookup(long ramAddr) {
        RamBlock b = (RamBlock) MRU.getOpaque(this);            // relaxed: the block was published by W-1-1
        if (b != null && b.contains(ramAddr)) {
            if (!b.isRemoved() || trustStaleMru) {
                return b;                                       // hit: no store, no cache-line bounce (as QEMU)
            }
            MRU.compareAndSet(this, b, (RamBlock) null);        // a stale entry left by the MRU race: drop it
        }
        b = snapshot().find(ramAddr);
        if (b == null) {
            throw unknownAddress(ramAddr);
        }
        Runnable hook = beforeMruStore;
        if (hook != null) {
            hook.run();
        }
        MRU.setOpaque(this, b);                                 // cache fill, relaxed
        return b;
    }

    /** QEMU's lookup for comparison: MRU, then a linear walk of the list. Same contract as {@link #lookup}. */
    public RamBlock lookupByScan(long ramAddr) {
        RamBlock b = (RamBlock) MRU.getOpaque(this);
        if (b != null && b.contains(ramAddr) && !b.isRemoved()) {
            return b;
        }
        b = snapshot().scan(ramAddr);
        if (b == null) {
            throw unknownAddress(ramAddr);
        }
        MRU.setOpaque(this, b);
        return b;
    }

    /** The block containing host virtual address {@code hostAddr} and the offset in it (qemu_ram_block_from_host). */
    public HostLocation lookupHost(long hostAddr) {
        for (RamBlock b : snapshot().listOrder) {
            long off = hostAddr - b.hostAddress();
            if (Long.compareUnsigned(off, b.maxLength()) < 0) {
                return new HostLocation(b, off);
            }
        }
        throw new IllegalArgumentException("host address 0x" + Long.toHexString(hostAddr) + " is not inside any RAM block");
    }

    /** A host address resolved to a block and an offset inside it. */
    public record HostLocation(RamBlock block, long offset) {
        public long ramAddress() {
            return block.offset() + offset;
        }
    }

    /** The block named {@code name}; throws when there is none. */
    public RamBlock block(String name) {
        RamBlock b = snapshot().byName.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no RAM block named '" + name + "' (blocks: " + snapshot().byName.keySet() + ")");
        }
        return b;
    }

    /** The block named {@code name}, or null. */
    public RamBlock findBlock(String name) {
        return snapshot().byName.get(name);
    }

    /** The blocks in QEMU's list order (max length descending); an immutable snapshot. */
    public List<RamBlock> blocks() {
        return snapshot().list();
    }

    /** Acquire load of the version (R-1-1); pairs with the release stores W-1-2 and W-2-2. */
    public long version() {
        return (long) VERSION.getAcquire(this);
    }

    /** Relaxed load of the version (R-2-1): enough where a read section orders it (see MigrationCursor). */
    public long versionOpaque() {
        return (long) VERSION.getOpaque(this);
    }

    /** A cursor for a thread that keeps a block across read sections (the migration thread). */
    public MigrationCursor cursor() {
        return new MigrationCursor(this);
    }

    /**
     * The root of the block table C readers translate through ({@code gm_ram_root*} in guestmem.h);
     * valid until {@link #close()}.
     */
    public NativeBlockTable nativeTable() {
        return nativeTable;
    }

    private static List<NativeBlockTable.Entry> entries(BlockSnapshot s) {
        return java.util.Arrays.stream(s.byOffset).map(b -> new NativeBlockTable.Entry(b.offset(), b.usedLength(), b.maxLength(),
                b.hostAddress(), b.flags().stream().mapToInt(f -> f.qemuValue).reduce(0, (x, y) -> x | y))).toList();
    }

    /** End of the highest block in the RAM-address space. */
    public long ramEnd() {
        return snapshot().ramEnd();
    }

    BlockSnapshot snapshot() {
        return (BlockSnapshot) SNAPSHOT.getAcquire(this);        // pairs with the release of W-1-1 / W-2-1
    }

    /** Frees every block and waits until their memory is unmapped. */
    @Override
    public void close() {
        mutex.lock();
        try {
            if (closed) {
                return;
            }
            for (RamBlock b : snapshot().listOrder) {
                free(b);
            }
            closed = true;
        } finally {
            mutex.unlock();
        }
        rcu.drain();
        nativeTable.close();
        dirty.close();
    }

    // ------------------------------------------------------------------------------------ helpers

    private void checkPageMultiple(String name, String what, long v) {
        Validate.isTrue(v % targetPageSize == 0, "block '%s': %s %d is not a multiple of the target page size %d", name, what, v, targetPageSize);
        long host = HostMemory.hostPageSize();
        Validate.isTrue(v % host == 0, "block '%s': %s %d is not a multiple of the host page size %d", name, what, v, host);
    }

    private static HostMapping map(RamBlockSpec spec) {
        var opts = spec.flags().contains(RamBlock.Flag.NORESERVE)
                ? HostMemory.DEFAULT_OPTIONS
                : java.util.EnumSet.of(HostMemory.Option.HUGEPAGE, HostMemory.Option.DONTFORK);
        return switch (spec.backing()) {
            case Backing.Anonymous a -> HostMemory.anonymous(spec.maxLength(), opts);
            case Backing.Memfd m -> HostMemory.memfd("guestmem:" + spec.name(), spec.maxLength(), opts);
            case Backing.File f -> HostMemory.file(f.path(), f.offset(), spec.maxLength(), f.shared(), false);
        };
    }

    private static long pageSizeOf(RamBlockSpec spec) {
        return HostMemory.hostPageSize();
    }

    private IllegalArgumentException unknownAddress(long addr) {
        return new IllegalArgumentException("RAM address 0x" + Long.toHexString(addr) + " is not inside any RAM block (RAM ends at 0x"
                + Long.toHexString(ramEnd()) + ", " + snapshot().listOrder.length + " blocks)");
    }
}
