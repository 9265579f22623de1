package org.guestmem.migration;

import java.io.IOException;
import org.guestmem.ram.RamBlock;

/**
 * QEMU's page search (find_dirty_block / ram_find_and_save_block) over the blocks one read section sees:
 * start where the previous search stopped (the cursor's lastSeenBlock and lastPage), walk the list
 * (non-migratable blocks have no bitmap and are passed over), wrap to the head and mark the round
 * complete, and report "all clean" once back at the start point. Lives for one read section of
 * {@link RamSaver}, under its bitmap lock.
 */
final class PageSearch {
    private static final int ALL_CLEAN = 0, TRY_AGAIN = 1, DIRTY_FOUND = 2;

    private final RamSaver saver;
    private final RamBlock[] order;
    // The PageSearchStatus: current block (and its index in order), page, complete_round.
    private RamBlock block;
    private int index;
    private long page;
    private boolean completeRound;
    private int wraps;

    PageSearch(RamSaver saver, RamBlock[] order) {
        this.saver = saver;
        this.order = order;
    }

    /** Finds dirty pages and sends them until at least one page went out; 0 when RAM is clean. */
    int findAndSave() throws IOException {
        if (order.length == 0) {
            return 0;
        }
        RamBlock start = saver.cursor().lastSeenBlock();
        int at = indexOf(start);
        if (at < 0) {
            // Not in this section's list (null, or changed after refresh): start at the head, as QEMU does for NULL.
            at = 0;
            saver.cursor().moveTo(order[0]);
            saver.lastPage(0);
        }
        block = order[at];
        index = at;
        page = saver.lastPage();
        completeRound = false;
        wraps = 0;
        int pages = 0;
        while (true) {
            int res = findDirtyBlock();
            if (res == ALL_CLEAN) {
                break;
            }
            if (res == TRY_AGAIN) {
                continue;
            }
            pages = saver.sendPage(block, saver.bitmap(block), page);
            page++;
            if (pages != 0) {
                break;                                     // 0: XBZRLE found the page unchanged; keep looking
            }
        }
        saver.cursor().moveTo(block);
        saver.lastPage(page);
        return pages;
    }

    private int findDirtyBlock() {
        long[] bmap = saver.bitmap(block);
        long usedPages = block.usedLength() >>> saver.pageShift();
        page = bmap == null ? usedPages : PageBitmap.nextSetBit(bmap, page, usedPages);
        if (completeRound && block == saver.cursor().lastSeenBlock() && page >= saver.lastPage()) {
            return ALL_CLEAN;                              // once round from the start point, nothing found
        }
        if (page >= usedPages) {
            page = 0;
            if (++index == order.length) {
                index = 0;
                completeRound = true;
                saver.roundCompleted();
                if (++wraps > 1) {
                    return ALL_CLEAN;                      // guard: the start point is always in order, but never loop forever
                }
            }
            block = order[index];
            return TRY_AGAIN;
        }
        return DIRTY_FOUND;
    }

    private int indexOf(RamBlock b) {
        for (int i = 0; i < order.length; i++) {
            if (order[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
