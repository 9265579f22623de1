/* C readers' view of the Java RamList: the published block table (see guestmem.h). */
#include "guestmem.h"

#include <errno.h>
#include <stddef.h>

GM_API int32_t gm_ram_translate(const gm_ram_root *root, uint64_t ram_addr, uint64_t len, uint64_t *host_out)
{
    if (root == NULL || host_out == NULL) {
        return -EINVAL;
    }
    /* RCU dereference: acquire; pairs with the release store of the table in RamList (W-1-1 / W-2-1). */
    uint64_t t = __atomic_load_n(&root->table, __ATOMIC_ACQUIRE);
    if (t == 0) {
        return -EFAULT;
    }
    const gm_block_table *table = (const gm_block_table *)(uintptr_t)t;
    const gm_block_entry *e = (const gm_block_entry *)(table + 1);
    uint32_t n = table->count;
    if (n == 0 || ram_addr < e[0].offset) {
        return -EFAULT;
    }
    /* The same branch-free lower bound as the Java BlockSnapshot#find. */
    uint32_t base = 0;
    while (n > 1) {
        uint32_t half = n >> 1;
        base = e[base + half].offset <= ram_addr ? base + half : base;
        n -= half;
    }
    const gm_block_entry *b = &e[base];
    uint64_t in = ram_addr - b->offset;
    if (in >= b->max_length) {
        return -EFAULT;
    }
    if (len > b->used_length || in > b->used_length - len) {
        return -ERANGE;
    }
    *host_out = b->host + in;
    return 0;
}
