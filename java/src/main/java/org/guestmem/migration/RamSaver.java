package org.guestmem.migration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.guestmem.dirty.DirtyClient;
import org.guestmem.dirty.DirtyMemory;
import org.guestmem.migration.RamStream.BlockEntry;
import org.guestmem.ram.MigrationCursor;
import org.guestmem.ram.RamBlock;
import org.guestmem.ram.RamBlockSpec;
import org.guestmem.ram.RamList;
import org.guestmem.ram.RamListListener;
import org.guestmem.rcu.ReadSection;
import org.guestmem.rcu.Rcu;

/**
 * The source side of RAM migration (QEMU's RAMState, migration/ram.c): per-block migration bitmaps, the
 * bitmap sync, QEMU's page search and the page encoders, writing the "ram" section through a
 * {@link RamStreamWriter}. Driven by one migration thread: {@link #setup}, then {@link #sync} and
 * {@link #iterate} as often as the caller likes, then {@link #complete} with the guest stopped.
 *
 * <p>The search keeps a block across RCU read sections in a {@link MigrationCursor} (ORDERING.md R-1..R-2):
 * at the start of every iterate and complete, in a new read section, {@code refresh()} checks the version
 * and on a change does QEMU's ram_state_reset (restart at the head, forget the last sent block so the next
 * record names its block again, XBZRLE off until the next complete round). Non-migratable blocks are
 * skipped. In strict mode a listener refuses hot-plug and hot-unplug of migratable blocks while the
 * migration is active and a changed set of migratable blocks fails the migration; in both modes a resize of
 * a migratable block cancels it ({@link MigrationCancelledException}).
 */
public final class RamSaver implements AutoCloseable {
    /** Whether to use XBZRLE (and its cache size), and strict mode. */
    public record Options(boolean xbzrle, long xbzrleCacheBytes, boolean strict) {
        public static Options defaults() {
            return new Options(false, XbzrlePageCache.DEFAULT_SIZE, false);
        }
    }

    private final RamList list;
    private final Rcu rcu;
    private final DirtyMemory dirty;
    private final RamStreamWriter out;
    private final Options options;
    private final int sectionId;
    private final int pageShift;
    private final int pageSize;
    private final MigrationCursor cursor;
    private final XbzrlePages xbzrle;
    private final RamListListener listener = new Listener();

    /** QEMU's bitmap_mutex: guards bitmaps, dirtyPages and the search state below. Migration thread(s) only. */
    private final ReentrantLock bitmapLock = new ReentrantLock();
    /** One bit per target page over maxLength, set = still to send; for the blocks migrated since setup. */
    private final Map<RamBlock, long[]> bitmaps = new IdentityHashMap<>();
    private long dirtyPages;          // QEMU's migration_dirty_pages
    private long lastPage;            // QEMU's last_page (the block is the cursor's lastSeenBlock)
    private boolean xbzrleStarted;
    private boolean lastStage;
    private long syncCount;
    private long lastSyncTaken;
    private final List<String> blocksChanged = new ArrayList<>();

    /**
     * Written by the migration thread (setup, close); read by the listener on the thread that hot-plugs,
     * under the RamList mutex. Volatile: setup's write happens before the listener is registered.
     */
    private volatile boolean active;
    /**
     * Written by the listener (on any thread that resizes a block, under the RamList mutex) and by the
     * migration thread (strict-mode failure); read by the migration thread before each step. Volatile: the
     * resizing thread's write is seen by the migration thread's next read. First reason wins only loosely
     * (two racing writers both name a real reason).
     */
    private volatile String cancelReason;

    public RamSaver(RamList list, RamStreamWriter out, int sectionId, Options options) {
        this.list = Objects.requireNonNull(list, "list");
        this.rcu = list.rcu();
        this.dirty = list.dirtyMemory();
        this.out = Objects.requireNonNull(out, "out");
        this.options = Objects.requireNonNull(options, "options");
        this.sectionId = sectionId;
        this.pageSize = (int) list.targetPageSize();
        if (out.pageSize() != pageSize) {
            throw new IllegalArgumentException("stream page size " + out.pageSize() + " differs from the target page size " + pageSize);
        }
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.cursor = list.cursor();
        this.xbzrle = options.xbzrle() ? new XbzrlePages(options.xbzrleCacheBytes(), pageSize) : null;
    }

    /** QEMU's ram_save_setup: all-ones bitmaps, the first sync, the START section with MEM_SIZE. */
    public void setup() throws IOException {
        active = true;
        list.addListener(listener);                        // from here on strict mode refuses hot-plug
        List<BlockEntry> entries = new ArrayList<>();
        bitmapLock.lock();
        try (ReadSection s = rcu.read()) {
            cursor.begin();
            for (RamBlock b : list.blocks()) {
                if (!b.isMigratable()) {
                    continue;
                }
                long[] bmap = new long[(int) ((b.maxLength() >>> pageShift) + 63 >>> 6)];
                PageBitmap.setRange(bmap, 0, b.usedLength() >>> pageShift);
                bitmaps.put(b, bmap);
                dirtyPages += b.usedLength() >>> pageShift;
                entries.add(new BlockEntry(b.name(), b.usedLength()));
            }
            lastPage = 0;
            syncLocked();
        } finally {
            bitmapLock.unlock();
        }
        out.sectionStart(sectionId);
        out.memSize(entries);
        out.eos();
        out.footer(sectionId);
        out.flush();
    }

    /** QEMU's migration_bitmap_sync: moves the MIGRATION dirty bits into the bitmaps. */
    public void sync() {
        checkCancelled();
        bitmapLock.lock();
        try (ReadSection s = rcu.read()) {
            syncLocked();
        } finally {
            bitmapLock.unlock();
        }
    }

    private void syncLocked() {
        syncCount++;
        long taken = 0, pending = 0;
        for (RamBlock b : list.blocks()) {
            long[] bmap = bitmaps.get(b);
            if (bmap == null) {
                continue;
            }
            long used = b.usedLength();
            taken += dirty.takeInto(b.offset(), used, DirtyClient.MIGRATION, bmap);
            pending += PageBitmap.count(bmap, used >>> pageShift);
        }
        dirtyPages = pending;
        lastSyncTaken = taken;
    }

    /**
     * QEMU's ram_save_iterate: one PART section of dirty pages, until none is left (returns true) or
     * {@code maxNanos} have passed (checked every 64 pages, as QEMU's MAX_WAIT).
     */
    public boolean iterate(long maxNanos) throws IOException {
        checkCancelled();
        out.sectionPart(sectionId);
        boolean done = false;
        bitmapLock.lock();
        try (ReadSection s = rcu.read()) {
            PageSearch search = refreshCursor();
            long t0 = System.nanoTime();
            for (int i = 0; ; i++) {
                if ((i & 63) == 0 && i > 0) {
                    checkCancelled();
                    if (System.nanoTime() - t0 > maxNanos) {
                        break;
                    }
                }
                if (search.findAndSave() == 0) {
                    done = true;
                    break;
                }
            }
        } finally {
            bitmapLock.unlock();
        }
        out.eos();
        out.footer(sectionId);
        out.flush();
        return done;
    }

    /** QEMU's ram_save_complete, guest stopped: a last sync, then every dirty page, in the END section. */
    public void complete() throws IOException {
        checkCancelled();
        out.sectionEnd(sectionId);
        bitmapLock.lock();
        try (ReadSection s = rcu.read()) {
            // Unlike QEMU, check the version here too: a block may have been freed since the last iterate.
            PageSearch search = refreshCursor();
            lastStage = true;
            syncLocked();
            while (search.findAndSave() != 0) {
                // send until clean
            }
        } finally {
            bitmapLock.unlock();
        }
        out.eos();
        out.footer(sectionId);
        out.flush();
    }

    /**
     * R-2 at the start of a read section; on a version change, QEMU's ram_state_reset, and the strict-mode
     * check. Returns the search over the blocks as this section sees them.
     */
    private PageSearch refreshCursor() {
        if (cursor.refresh()) {                            // R-2-1 / R-2-2: the cursor restarted at the head
            lastPage = 0;
            out.forgetLastSentBlock();
            xbzrleStarted = false;
            checkMigratableBlocks();
        }
        return new PageSearch(this, list.blocks().toArray(RamBlock[]::new));
    }

    /** After a version change: did a migratable block come or go? Strict mode fails; default mode skips it. */
    private void checkMigratableBlocks() {
        Map<RamBlock, Boolean> now = new IdentityHashMap<>();
        List<String> added = new ArrayList<>(), removed = new ArrayList<>();
        for (RamBlock b : list.blocks()) {
            now.put(b, Boolean.TRUE);
            if (b.isMigratable() && !bitmaps.containsKey(b)) {
                added.add(b.name());
            }
        }
        bitmaps.keySet().removeIf(b -> {
            boolean gone = !now.containsKey(b);
            if (gone) {
                removed.add(b.name());
            }
            return gone;
        });
        if (added.isEmpty() && removed.isEmpty()) {
            return;                                        // a non-migratable block changed: harmless
        }
        String what = "migratable blocks changed during migration: added " + added + ", removed " + removed;
        if (options.strict()) {
            cancelReason = "strict mode: " + what;
            throw new MigrationCancelledException(cancelReason);
        }
        added.forEach(n -> blocksChanged.add("+" + n));
        removed.forEach(n -> blocksChanged.add("-" + n));
    }

    private void checkCancelled() {
        String r = cancelReason;
        if (r != null) {
            throw new MigrationCancelledException(r);
        }
    }

    // ------------------------------------------------------------------------------------ for PageSearch

    MigrationCursor cursor() {
        return cursor;
    }

    long lastPage() {
        return lastPage;
    }

    void lastPage(long p) {
        lastPage = p;
    }

    long[] bitmap(RamBlock b) {
        return bitmaps.get(b);
    }

    int pageShift() {
        return pageShift;
    }

    /** Called when the search wraps to the head: XBZRLE starts after the first complete round. */
    void roundCompleted() {
        if (xbzrle != null) {
            xbzrleStarted = true;
        }
    }

    /** Clears the page's bit and sends it (QEMU's migration_bitmap_clear_dirty + ram_save_target_page). */
    int sendPage(RamBlock block, long[] bmap, long page) throws IOException {
        if (!PageBitmap.testAndClear(bmap, page)) {
            return 0;
        }
        dirtyPages--;
        long off = page << pageShift;
        if (ZeroPages.isZero(block.segment(), off, pageSize)) {
            out.zeroPage(block.name(), off);
            if (xbzrleStarted) {
                xbzrle.cacheZero(block.offset() + off, syncCount);
            }
            return 1;
        }
        if (xbzrleStarted) {
            return xbzrle.save(out, block, off, syncCount, lastStage);
        }
        out.page(block.name(), off, block.segment(), off);
        return 1;
    }

    // ------------------------------------------------------------------------------------ state and stats

    /** Pages still to send (QEMU's migration_dirty_pages; ram_bytes_remaining = this × page size). */
    public long remainingPages() {
        bitmapLock.lock();
        try {
            return dirtyPages;
        } finally {
            bitmapLock.unlock();
        }
    }

    /** Bitmap syncs so far (QEMU's dirty-sync-count; also the XBZRLE cache generation). */
    public long syncCount() {
        return syncCount;
    }

    /** Pages the last sync found dirtied since the one before (the dirty-rate numerator). */
    public long lastSyncDirtied() {
        return lastSyncTaken;
    }

    /** Times the search saw the block-list version move (ram_state_reset). */
    public long versionChanges() {
        return cursor.resets();
    }

    /** Migratable blocks that came ("+name") or went ("-name") in default mode; not migrated. */
    public List<String> blocksChanged() {
        return List.copyOf(blocksChanged);
    }

    public RamStreamWriter writer() {
        return out;
    }

    /** XBZRLE counters, or null when XBZRLE is off. */
    public XbzrlePages xbzrle() {
        return xbzrle;
    }

    public boolean xbzrleStarted() {
        return xbzrleStarted;
    }

    public int pageSize() {
        return pageSize;
    }

    /** Ends the migration's hold on the list: strict mode stops refusing, resizes no longer cancel. */
    @Override
    public void close() {
        active = false;
        list.removeListener(listener);
    }

    /** Strict mode's refusals and the resize cancel; runs under the RamList mutex on the updater's thread. */
    private final class Listener implements RamListListener {
        @Override
        public void checkHotplug(RamBlockSpec adding, RamBlock removing) {
            if (!active || !options.strict()) {
                return;
            }
            if (adding != null && adding.flags().contains(RamBlock.Flag.MIGRATABLE)) {
                throw new IllegalStateException("a migration is active (strict mode): refusing to add migratable block '" + adding.name() + "'");
            }
            if (removing != null && removing.isMigratable()) {
                throw new IllegalStateException("a migration is active (strict mode): refusing to free migratable block '" + removing.name() + "'");
            }
        }

        @Override
        public void blockResized(RamBlock block, long oldUsed, long newUsed) {
            if (active && block.isMigratable() && cancelReason == null) {
                cancelReason = "RAM block '" + block.name() + "' resized during precopy (used length " + oldUsed + " -> " + newUsed + " bytes)";
            }
        }
    }
}
