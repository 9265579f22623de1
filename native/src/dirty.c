/* Dirty marking from C on the Java DirtyMemory's chunked bitmaps (see guestmem.h and DirtyBitmapDescriptor). */
#include "guestmem.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* DR-1: the client's current table, or NULL once the DirtyMemory is closed. Acquire; pairs with the
 * release store of the root entry by the Java growth (DG-2) and by close(). The table stays valid until
 * the caller's read section ends (the old one is freed after a grace period, DG-4). */
static inline const gm_dirty_table *table_of(const gm_dirty_root *root, int client)
{
    return (const gm_dirty_table *)(uintptr_t)__atomic_load_n(&root->table[client], __ATOMIC_ACQUIRE);
}

static inline uint64_t *chunk_at(const gm_dirty_table *t, uint64_t index)
{
    return (uint64_t *)(uintptr_t)((const uint64_t *)(t + 1))[index];
}

/* Sets bits [from, to) of one chunk (from < to <= chunk_pages): DS-1 for partial words, DS-2 for whole ones. */
static inline void chunk_set(uint64_t *words, uint64_t from, uint64_t to)
{
    uint64_t w = from >> 6, last = (to - 1) >> 6;
    uint64_t first_mask = ~0ULL << (from & 63), last_mask = ~0ULL >> (63 - ((to - 1) & 63));
    if (w == last) {
        /* DS-1: seq_cst RMW; its release half orders the caller's guest-RAM writes before the bit (pairs with DT-2). */
        __atomic_fetch_or(&words[w], first_mask & last_mask, __ATOMIC_SEQ_CST);
        return;
    }
    __atomic_fetch_or(&words[w], first_mask, __ATOMIC_SEQ_CST);                 /* DS-1, pairs with DT-2 */
    for (uint64_t i = w + 1; i < last; i++) {
        __atomic_store_n(&words[i], ~0ULL, __ATOMIC_RELEASE);                    /* DS-2, pairs with DT-2 */
    }
    __atomic_fetch_or(&words[last], last_mask, __ATOMIC_SEQ_CST);               /* DS-1, pairs with DT-2 */
}

/* Checks the arguments shared by the functions below; 0 or a negative errno. */
static inline int32_t check_range(const gm_dirty_root *root, uint64_t ram_addr, uint64_t len)
{
    if (root == NULL || ram_addr + len < ram_addr) {
        return -EINVAL;
    }
    return 0;
}

/* Pages [first, end) of the range for table t, or -ERANGE when t does not cover them. */
static inline int32_t page_span(const gm_dirty_table *t, uint64_t ram_addr, uint64_t len, uint64_t *first, uint64_t *end)
{
    uint64_t shift = t->page_shift;
    *first = ram_addr >> shift;
    *end = ((ram_addr + len - 1) >> shift) + 1;
    return *end > t->chunk_count * t->chunk_pages ? -ERANGE : 0;
}

/* Pages [first, end) of table t (covered), chunk by chunk; out of line, so that the one-word path of
 * gm_dirty_set_range (a device's store: one page, or a few in one word) needs no saved registers. */
static __attribute__((noinline)) void set_span(const gm_dirty_table *t, uint64_t first, uint64_t end)
{
    uint64_t pages = t->chunk_pages, chunk_shift = (uint64_t)__builtin_ctzll(pages);
    for (uint64_t p = first; p < end;) {
        uint64_t chunk = p >> chunk_shift, base = chunk << chunk_shift;
        uint64_t to = end < base + pages ? end : base + pages;
        chunk_set(chunk_at(t, chunk), p - base, to - base);                      /* DR-2, DS-1/DS-2 */
        p = to;
    }
}

/* Marks the pages of bytes [ram_addr, last_addr] (last_addr >= ram_addr) for one client's table t. */
static inline int32_t set_in_table(const gm_dirty_table *t, uint64_t ram_addr, uint64_t last_addr)
{
    if (t == NULL) {
        return -ESHUTDOWN;
    }
    uint64_t shift = t->page_shift, pages = t->chunk_pages, chunk_shift = (uint64_t)__builtin_ctzll(pages);
    uint64_t page = ram_addr >> shift, last = last_addr >> shift;
    if ((last >> chunk_shift) >= t->chunk_count) {
        return -ERANGE;
    }
    if ((page >> 6) != (last >> 6)) {
        set_span(t, page, last + 1);
        return 0;
    }
    /* One word (chunk_pages is a power of two >= 64, so one chunk too): the pages' bits in one RMW. */
    uint64_t bit = page & (pages - 1);
    uint64_t mask = (~0ULL << (bit & 63)) & (~0ULL >> (63 - (last & 63)));
    uint64_t *words = chunk_at(t, page >> chunk_shift);                          /* DR-2 */
    __atomic_fetch_or(&words[bit >> 6], mask, __ATOMIC_SEQ_CST);                 /* DS-1, pairs with DT-2 */
    return 0;
}

/* More than one client: each client's table in turn. */
static __attribute__((noinline)) int32_t set_for_clients(const gm_dirty_root *root, uint64_t ram_addr, uint64_t last_addr,
                                                         uint32_t client_mask)
{
    for (uint32_t m = client_mask; m != 0; m &= m - 1) {
        int32_t rc = set_in_table(table_of(root, __builtin_ctz(m)), ram_addr, last_addr); /* DR-1 */
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

GM_API int32_t gm_dirty_set_range(const gm_dirty_root *root, uint64_t ram_addr, uint64_t len, uint32_t client_mask)
{
    if (root == NULL || (client_mask & ~GM_DIRTY_MASK_ALL) != 0 || ram_addr + len < ram_addr) {
        return -EINVAL;
    }
    if (len == 0 || client_mask == 0) {
        return 0;
    }
    if ((client_mask & (client_mask - 1)) != 0) {
        return set_for_clients(root, ram_addr, ram_addr + len - 1, client_mask);
    }
    return set_in_table(table_of(root, __builtin_ctz(client_mask)), ram_addr, ram_addr + len - 1); /* DR-1 */
}

GM_API int32_t gm_dirty_test(const gm_dirty_root *root, uint64_t ram_addr, uint64_t len, int32_t client)
{
    int32_t rc = check_range(root, ram_addr, len);
    if (rc != 0 || client < 0 || client >= GM_DIRTY_CLIENTS) {
        return -EINVAL;
    }
    if (len == 0) {
        return 0;
    }
    const gm_dirty_table *t = table_of(root, client);                           /* DR-1 */
    if (t == NULL) {
        return -ESHUTDOWN;
    }
    uint64_t first, end;
    if ((rc = page_span(t, ram_addr, len, &first, &end)) != 0) {
        return rc;
    }
    uint64_t pages = t->chunk_pages, chunk_shift = (uint64_t)__builtin_ctzll(pages);
    for (uint64_t p = first; p < end;) {
        uint64_t chunk = p >> chunk_shift, base = chunk << chunk_shift;
        uint64_t to = end < base + pages ? end : base + pages;
        const uint64_t *words = chunk_at(t, chunk);                              /* DR-2 */
        uint64_t from = p - base, last = (to - base - 1) >> 6;
        for (uint64_t i = from >> 6; i <= last; i++) {
            uint64_t m = ~0ULL;
            if (i == from >> 6) {
                m &= ~0ULL << (from & 63);
            }
            if (i == last) {
                m &= ~0ULL >> (63 - ((to - base - 1) & 63));
            }
            /* DT-1: a relaxed load, a hint; no pairing (a read-only test orders nothing). */
            if ((__atomic_load_n(&words[i], __ATOMIC_RELAXED) & m) != 0) {
                return 1;
            }
        }
        p = to;
    }
    return 0;
}

GM_API int32_t gm_ram_write(const gm_ram_root *ram, const gm_dirty_root *dirty, uint64_t ram_addr, const void *src,
                            uint64_t len, uint32_t client_mask)
{
    if (src == NULL && len != 0) {
        return -EINVAL;
    }
    if (client_mask != 0 && (dirty == NULL || (client_mask & ~GM_DIRTY_MASK_ALL) != 0)) {
        return -EINVAL;
    }
    if (len == 0) {
        return 0;
    }
    uint64_t host;
    int32_t rc = gm_ram_translate(ram, ram_addr, len, &host);                   /* acquire of the table; pairs with W-1-1/W-2-1 */
    if (rc != 0) {
        return rc;
    }
    /* Guest RAM itself is plain memory (as for a vCPU); the mark below releases these bytes (DS-1/DS-2). */
    memcpy((void *)(uintptr_t)host, src, (size_t)len);
    return client_mask == 0 ? 0 : gm_dirty_set_range(dirty, ram_addr, len, client_mask);
}
