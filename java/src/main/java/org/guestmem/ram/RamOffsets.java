package org.guestmem.ram;

/**
 * QEMU's find_ram_offset: where a new block of {@code size} bytes goes in the RAM-address space.
 * Best fit among the gaps after each block, each candidate start rounded up to 64 target pages so every
 * block starts on a dirty-bitmap word (the fast sync path); the space below the lowest block is never reused.
 */
final class RamOffsets {
    private RamOffsets() {}

    static long find(BlockSnapshot s, long size, long targetPageSize) {
        if (s.byOffset.length == 0) {
            return 0;
        }
        long align = 64 * targetPageSize;
        long best = -1, bestGap = Long.MAX_VALUE;
        for (RamBlock b : s.byOffset) {
            long candidate = alignUp(b.offset() + b.maxLength(), align);
            long next = Long.MAX_VALUE;
            for (RamBlock o : s.byOffset) {
                if (o.offset() >= candidate && o.offset() < next) {
                    next = o.offset();
                }
            }
            // Blocks overlapping the candidate start disqualify it.
            boolean overlaps = false;
            for (RamBlock o : s.byOffset) {
                if (candidate >= o.offset() && candidate < o.offset() + o.maxLength()) {
                    overlaps = true;
                    break;
                }
            }
            if (overlaps) {
                continue;
            }
            long gap = next - candidate;
            if (gap >= size && gap < bestGap) {
                best = candidate;
                bestGap = gap;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no room in the RAM-address space for a block of " + size + " bytes");
        }
        return best;
    }

    static long alignUp(long v, long align) {
        return (v + align - 1) & -align;
    }
}
