package org.guestmem.ram;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable view of the block list, built by the updater under the mutex and published with one
 * release store (W-1-1 / W-2-1). Readers never see it change: they see the old snapshot or the new.
 *
 * <p>Holds the blocks in QEMU's list order (max length descending) and sorted by offset with parallel
 * arrays of starts and ends, so a lookup that misses the MRU cache is a binary search: O(log n) where
 * QEMU walks the list.
 */
final class BlockSnapshot {
    static final BlockSnapshot EMPTY = new BlockSnapshot(new RamBlock[0]);

    /** QEMU's list order: biggest max length first (ties: older first). */
    final RamBlock[] listOrder;
    final RamBlock[] byOffset;
    final long[] starts;
    final long[] ends;
    final Map<String, RamBlock> byName;

    private BlockSnapshot(RamBlock[] listOrder) {
        this.listOrder = listOrder;
        this.byOffset = listOrder.clone();
        Arrays.sort(byOffset, Comparator.comparingLong(RamBlock::offset));
        starts = new long[byOffset.length];
        ends = new long[byOffset.length];
        for (int i = 0; i < byOffset.length; i++) {
            starts[i] = byOffset[i].offset();
            ends[i] = byOffset[i].offset() + byOffset[i].maxLength();
        }
        byName = new HashMap<>();
        for (RamBlock b : listOrder) {
            byName.put(b.name(), b);
        }
    }

    BlockSnapshot with(RamBlock added) {
        RamBlock[] n = Arrays.copyOf(listOrder, listOrder.length + 1);
        int i = listOrder.length;
        // Insert before the first block that is strictly smaller (QEMU inserts before the first smaller one).
        for (int j = 0; j < listOrder.length; j++) {
            if (listOrder[j].maxLength() < added.maxLength()) {
                i = j;
                break;
            }
        }
        System.arraycopy(listOrder, i, n, i + 1, listOrder.length - i);
        n[i] = added;
        return new BlockSnapshot(n);
    }

    BlockSnapshot without(RamBlock removed) {
        return new BlockSnapshot(Arrays.stream(listOrder).filter(b -> b != removed).toArray(RamBlock[]::new));
    }

    /** The block whose {@code [offset, offset + maxLength)} holds {@code addr}, or null. */
    RamBlock find(long addr) {
        long[] st = starts;
        int n = st.length;
        if (n == 0 || Long.compareUnsigned(addr, st[0]) < 0) {
            return null;
        }
        // Branch-free lower bound: halve the window each step without a data-dependent branch (the JIT
        // emits a conditional move), so a miss costs ~log2(n) loads and no branch mispredictions.
        int base = 0;
        while (n > 1) {
            int half = n >>> 1;
            base = Long.compareUnsigned(st[base + half], addr) <= 0 ? base + half : base;
            n -= half;
        }
        return Long.compareUnsigned(addr, ends[base]) < 0 ? byOffset[base] : null;
    }

    /** QEMU's algorithm: walk the list in list order. Kept for comparison benchmarks and tests. */
    RamBlock scan(long addr) {
        for (RamBlock b : listOrder) {
            if (b.contains(addr)) {
                return b;
            }
        }
        return null;
    }

    long ramEnd() {
        long end = 0;
        for (long e : ends) {
            end = Math.max(end, e);
        }
        return end;
    }

    List<RamBlock> list() {
        return List.of(listOrder);
    }
}
