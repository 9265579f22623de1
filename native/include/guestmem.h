/*
 * guestmem.h: the one public header of the guestmem C shim.
 *
 * Rules: fixed-width types only, every exported symbol starts with gm_, every
 * function reports failure as a negative errno value (never aborts).
 * Java binds this header through bindings/ (jextract's shape); the allow-list
 * bindings/symbols.txt names every symbol bound and its signature, and both the
 * C tests and the Java binding test check against it.
 */
#ifndef GUESTMEM_H
#define GUESTMEM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GM_BUILDING_SHIM)
#define GM_API __attribute__((visibility("default")))
#else
#define GM_API
#endif

/* Bumped whenever a struct layout or a function signature of this header changes. */
#define GM_ABI_VERSION 1

/* ---------------------------------------------------------------- ABI report */

/* One fact the C compiler knows about this header: "gm_mapping.sizeof" = 32, ... */
typedef struct gm_abi_entry {
    uint64_t value;
    char name[56];
} gm_abi_entry;

GM_API int32_t gm_abi_version(void);
/* Number of entries gm_abi_entry_at() reports. */
GM_API int32_t gm_abi_entry_count(void);
/* Fills *out with entry index; -EINVAL when index is out of range or out is NULL. */
GM_API int32_t gm_abi_entry_at(int32_t index, gm_abi_entry *out);

/* ------------------------------------------------------------ guest RAM maps */

/* Flags for the gm_map_* functions. */
#define GM_MAP_NORESERVE 0x1u  /* MAP_NORESERVE: no swap reservation, lazy commit */
#define GM_MAP_HUGEPAGE  0x2u  /* madvise(MADV_HUGEPAGE) after mapping (a hint; ignored if unsupported) */
#define GM_MAP_DONTFORK  0x4u  /* madvise(MADV_DONTFORK) after mapping */
#define GM_MAP_SHARED    0x8u  /* gm_map_file: MAP_SHARED (writes reach the file); else MAP_PRIVATE */
#define GM_MAP_READONLY  0x10u /* gm_map_file: PROT_READ only */
#define GM_MAP_ALL       0x1fu

/* Kinds recorded in gm_mapping.kind. */
#define GM_KIND_ANONYMOUS 1
#define GM_KIND_MEMFD     2
#define GM_KIND_FILE      3

/* Alignment of anonymous and memfd guest RAM (QEMU_VMALLOC_ALIGN on x86_64 Linux). */
#define GM_RAM_ALIGN (2u * 1024u * 1024u)

/* A mapping made by gm_map_*: host address, length, and the fd behind it (-1 for anonymous). */
typedef struct gm_mapping {
    uint64_t addr;   /* host address of byte 0, GM_RAM_ALIGN-aligned for anonymous and memfd */
    uint64_t size;   /* bytes mapped */
    int32_t fd;      /* memfd or file descriptor kept open for sharing; -1 when none */
    uint32_t kind;   /* GM_KIND_* */
    uint32_t flags;  /* GM_MAP_* as requested */
    uint32_t reserved;
} gm_mapping;

/* Host page size (sysconf(_SC_PAGESIZE)). */
GM_API int64_t gm_host_page_size(void);

/* Anonymous private RAM, 2 MiB aligned, lazily committed with GM_MAP_NORESERVE.
 * size must be a non-zero multiple of the host page size. */
GM_API int32_t gm_map_anonymous(uint64_t size, uint32_t flags, gm_mapping *out);

/* memfd_create(name) + ftruncate(size) + MAP_SHARED, 2 MiB aligned: memory another
 * process or C code can map through out->fd. -ENOSYS when the kernel lacks memfd. */
GM_API int32_t gm_map_memfd(const char *name, uint64_t size, uint32_t flags, gm_mapping *out);

/* Maps size bytes of the file at path starting at offset (a multiple of the host page
 * size). The file must already be at least offset + size bytes long. */
GM_API int32_t gm_map_file(const char *path, uint64_t offset, uint64_t size, uint32_t flags, gm_mapping *out);

/* munmap + close(fd). Safe to call once per successful gm_map_*; clears *m. */
GM_API int32_t gm_unmap(gm_mapping *m);

/* Advice for gm_madvise. */
#define GM_ADVICE_HUGEPAGE 1
#define GM_ADVICE_DONTFORK 2
#define GM_ADVICE_DONTNEED 3 /* discard: anonymous private pages read back as zero afterwards */
#define GM_ADVICE_WILLNEED 4

/* madvise on [addr, addr+len); addr must be page aligned. */
GM_API int32_t gm_madvise(uint64_t addr, uint64_t len, int32_t advice);

/* ---------------------------------------------------------------- membarrier */

/* membarrier(2) command bits (Linux uapi values). */
#define GM_MEMBARRIER_CMD_GLOBAL                    (1 << 0)
#define GM_MEMBARRIER_CMD_PRIVATE_EXPEDITED         (1 << 3)
#define GM_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED (1 << 4)

/* MEMBARRIER_CMD_QUERY: the mask of supported commands, or -ENOSYS when the kernel has no membarrier. */
GM_API int32_t gm_membarrier_query(void);
/* Registers this process for PRIVATE_EXPEDITED (idempotent). */
GM_API int32_t gm_membarrier_register(void);
/* MEMBARRIER_CMD_PRIVATE_EXPEDITED: every running thread of this process passes a full
 * barrier before this returns. -EPERM when not registered. */
GM_API int32_t gm_membarrier(void);


/* ------------------------------------------------------------ the block table */
/*
 * The Java RamList publishes its blocks for C readers: a root that never moves, pointing at an
 * immutable table (sorted by offset) that is replaced copy-on-write on every add, free and resize.
 * Ordering (ORDERING.md): Java release-stores root->table (W-1-1/W-2-1) and then root->version
 * (W-1-2/W-2-2); a C reader inside a read section of the list's RCU domain acquire-loads root->table
 * (an RCU dereference) and may use the table and the guest memory it describes until the section ends.
 * A replaced table and a freed block's memory are released only after a grace period.
 */

/* Block flags in gm_block_entry.flags: QEMU's RAM_* values. */
#define GM_RAM_SHARED     0x2u
#define GM_RAM_RESIZEABLE 0x4u
#define GM_RAM_MIGRATABLE 0x10u
#define GM_RAM_NORESERVE  0x80u

typedef struct gm_block_entry {
    uint64_t offset;       /* RAM address of byte 0 */
    uint64_t used_length;  /* bytes valid now */
    uint64_t max_length;   /* bytes mapped */
    uint64_t host;         /* host virtual address of byte 0 */
    uint32_t flags;        /* GM_RAM_* */
    uint32_t reserved;
} gm_block_entry;

/* Header of a table; count gm_block_entry records follow it, sorted by offset. */
typedef struct gm_block_table {
    uint64_t version;      /* the RamList version this table describes */
    uint32_t count;
    uint32_t reserved;
} gm_block_table;

typedef struct gm_ram_root {
    uint64_t table;        /* address of the current gm_block_table; release (Java) / acquire (C) */
    uint64_t version;      /* RamList version; release-stored after table (W-1-2, W-2-2) */
} gm_ram_root;

/*
 * Translates [ram_addr, ram_addr + len) to a host address through the current table. Call inside a
 * read section of the list's RCU domain; the address stays valid until the section ends.
 * Returns 0, -EFAULT when no block holds ram_addr, -ERANGE when the range runs past the block's used
 * length, -EINVAL for a NULL argument.
 */
GM_API int32_t gm_ram_translate(const gm_ram_root *root, uint64_t ram_addr, uint64_t len, uint64_t *host_out);

/* ------------------------------------------------------------ dirty marking from C */
/*
 * The RamList's DirtyMemory keeps one bitmap per client, one bit per target page, in chunks of off-heap
 * uint64_t words that C sets with the same atomics as Java (layout and steps: DirtyBitmapDescriptor on
 * the Java side, the same step names here):
 *
 *   root:  GM_DIRTY_CLIENTS table addresses, one per client (0 once the DirtyMemory is closed)
 *   table: gm_dirty_table, then chunk_count uint64_t chunk addresses
 *   page p of client c = bit (p & 63) of word ((p % chunk_pages) >> 6) of chunk (p / chunk_pages)
 *
 * Growth (RAM hot-plug) builds a bigger table, release-stores it into the root (DG-2) and frees the old
 * table after a grace period (DG-4); chunks never move. So a C thread calls the gm_dirty_* functions
 * inside a read section of the list's RCU domain (the one it translates in), like gm_ram_translate.
 * Marking releases the caller's earlier writes to guest RAM (DS-1/DS-2): a migration that takes the bit
 * (DT-2) and then reads the page sees them. Mark after writing, never before.
 */
#define GM_DIRTY_CLIENTS 3
#define GM_DIRTY_VGA       0   /* client indices (QEMU's DIRTY_MEMORY_*) */
#define GM_DIRTY_CODE      1
#define GM_DIRTY_MIGRATION 2
#define GM_DIRTY_MASK_VGA       0x1u /* client masks: 1 << index */
#define GM_DIRTY_MASK_CODE      0x2u
#define GM_DIRTY_MASK_MIGRATION 0x4u
#define GM_DIRTY_MASK_ALL       0x7u /* DIRTY_CLIENTS_ALL */
#define GM_DIRTY_MASK_NOCODE    0x5u /* DIRTY_CLIENTS_NOCODE */

/* Header of one client's chunk table; chunk_count uint64_t chunk addresses follow it. Immutable once published. */
typedef struct gm_dirty_table {
    uint64_t chunk_count;
    uint64_t chunk_pages;  /* bits per chunk: a power of two >= 64 */
    uint64_t page_shift;   /* log2 of the target page size */
} gm_dirty_table;

typedef struct gm_dirty_root {
    uint64_t table[3];     /* [GM_DIRTY_CLIENTS]: release (Java, DG-2) / acquire (C, DR-1) */
} gm_dirty_root;

/*
 * Marks every page touched by [ram_addr, ram_addr + len) dirty for the clients in client_mask. Call
 * inside a read section of the list's RCU domain. Returns 0 (also for len 0), -EINVAL for a NULL root,
 * a mask with bits outside GM_DIRTY_MASK_ALL or a range that overflows, -ERANGE when the range reaches
 * past the RAM the bitmaps cover, -ESHUTDOWN when the DirtyMemory is closing (its root entries are 0; a
 * section that began before close() may still see them; after close() returns the root itself is freed).
 */
GM_API int32_t gm_dirty_set_range(const gm_dirty_root *root, uint64_t ram_addr, uint64_t len, uint32_t client_mask);

/*
 * gm_dirty_set_range for the one page holding ram_addr, inline: a device's store marked at the cost of
 * the OR itself (the call into the library costs about as much again). Same steps (DR-1, DS-1), same
 * results: anything but the plain case (NULL root, bad mask, closed, outside the covered RAM) goes to
 * gm_dirty_set_range, which returns the error.
 */
static inline int32_t gm_dirty_mark_page(const gm_dirty_root *root, uint64_t ram_addr, uint32_t client_mask)
{
    if (root == 0 || (client_mask & ~GM_DIRTY_MASK_ALL) != 0) {
        return gm_dirty_set_range(root, ram_addr, 1, client_mask);
    }
    for (uint32_t m = client_mask; m != 0; m &= m - 1) {
        /* DR-1: acquire; pairs with the release store of the root entry by the growth (DG-2). */
        const gm_dirty_table *t =
            (const gm_dirty_table *)(uintptr_t)__atomic_load_n(&root->table[__builtin_ctz(m)], __ATOMIC_ACQUIRE);
        if (t == 0) {
            return gm_dirty_set_range(root, ram_addr, 1, m);
        }
        uint64_t page = ram_addr >> t->page_shift, pages = t->chunk_pages;
        uint64_t chunk = page >> __builtin_ctzll(pages), bit = page & (pages - 1);
        if (chunk >= t->chunk_count) {
            return gm_dirty_set_range(root, ram_addr, 1, m);
        }
        uint64_t *words = (uint64_t *)(uintptr_t)((const uint64_t *)(t + 1))[chunk];
        /* DS-1: seq_cst RMW, releases the caller's earlier guest-RAM writes; pairs with the take's DT-2. */
        __atomic_fetch_or(&words[bit >> 6], 1ULL << (bit & 63), __ATOMIC_SEQ_CST);
    }
    return 0;
}

/*
 * 1 if any page touched by the range is dirty for client (an index, GM_DIRTY_VGA..GM_DIRTY_MIGRATION),
 * 0 if none is (or len is 0), else the errors above (-EINVAL also for an unknown client). Reads only
 * (relaxed loads, DT-1): a bit set concurrently may or may not be seen. Inside a read section.
 */
GM_API int32_t gm_dirty_test(const gm_dirty_root *root, uint64_t ram_addr, uint64_t len, int32_t client);

/*
 * The common case of a C device model: translates [ram_addr, ram_addr + len) (one block), copies len
 * bytes from src into guest RAM and then marks the range dirty for client_mask (0: no marking, for RAM
 * no client tracks). Inside a read section. Returns 0, gm_ram_translate's errors, or
 * gm_dirty_set_range's (then the bytes were written but not marked).
 */
GM_API int32_t gm_ram_write(const gm_ram_root *ram, const gm_dirty_root *dirty, uint64_t ram_addr, const void *src,
                            uint64_t len, uint32_t client_mask);

/* ------------------------------------------------------- C readers in a Java RCU domain */
/*
 * An org.guestmem.rcu.Rcu domain keeps its reader state in an off-heap table (layout and protocol:
 * RcuReaderTableDescriptor on the Java side, the same step names here). A C thread joins the domain
 * by claiming a slot, runs read sections (FENCE, MEMBARRIER) or announces quiescent states (QSBR) on
 * it, and is waited for by the Java synchronize(). Step names: RL-1..RL-3 (lock), RU-1..RU-3 (unlock),
 * QS-1..QS-3 (quiescent state), ON-1/ON-2 (online), OFF-1 (offline).
 */
#define GM_RCU_MAGIC       0x474D524355000001ull /* "GMRCU", layout version 1 */
#define GM_RCU_GP_INITIAL  1u
#define GM_RCU_GP_STEP     2u
#define GM_RCU_OWNER_KIND_C 2u                    /* OWNER = kind << 56 | kernel tid */

/* The domain's flavor word (Java Rcu.Flavor ordinal). */
#define GM_RCU_FLAVOR_FENCE      0
#define GM_RCU_FLAVOR_MEMBARRIER 1
#define GM_RCU_FLAVOR_QSBR       2

/* Table header: 64 bytes; slots of 64 bytes (one cache line each) follow it. */
typedef struct gm_rcu_table_header {
    uint64_t magic;       /* GM_RCU_MAGIC */
    uint64_t gp_ctr;      /* grace-period counter: written by the Java writer (GP-2), read by readers (RL-1, QS-1) */
    uint64_t slot_count;
    uint64_t flavor;      /* GM_RCU_FLAVOR_* */
    uint64_t slot_limit;  /* one past the highest slot ever claimed (CAS max by claimers) */
    uint64_t pad[3];
} gm_rcu_table_header;

typedef struct gm_rcu_slot {
    uint64_t ctr;         /* owner only: 0 quiescent, else the gp_ctr value seen at lock / last quiescent state */
    uint64_t owner;       /* 0 free; claimed with CAS */
    uint64_t waiting;     /* set by the writer before it blocks; cleared by the owner (RU-3) */
    uint64_t pad[5];
} gm_rcu_slot;

/* One C thread's membership of a domain (owned by that thread). */
typedef struct gm_rcu_reader {
    uint64_t table;       /* address of the gm_rcu_table_header */
    uint64_t slot;        /* address of the claimed gm_rcu_slot */
    uint32_t depth;       /* read-section nesting */
    uint32_t flavor;      /* copied from the table */
} gm_rcu_reader;

/* Claims a free slot of the table at table_addr for the calling thread. -EINVAL for a table without
 * GM_RCU_MAGIC, -EBUSY when every slot is taken. QSBR readers start online. */
GM_API int32_t gm_rcu_reader_register(uint64_t table_addr, gm_rcu_reader *r);
/* Releases the slot; the thread must be outside every read section. */
GM_API int32_t gm_rcu_reader_unregister(gm_rcu_reader *r);
/* rcu_read_lock / rcu_read_unlock; nest. For QSBR they only count the nesting. */
GM_API void gm_rcu_reader_lock(gm_rcu_reader *r);
GM_API void gm_rcu_reader_unlock(gm_rcu_reader *r);
/* QSBR: announce a quiescent state / go offline before blocking / come back online. No-ops otherwise. */
GM_API void gm_rcu_reader_quiescent(gm_rcu_reader *r);
GM_API void gm_rcu_reader_offline(gm_rcu_reader *r);
GM_API void gm_rcu_reader_online(gm_rcu_reader *r);

/* ------------------------------------------------ C reader threads (interop tests, soak) */
/*
 * Starts threads that behave like a C device model: each joins the RCU domain at rcu_table, and in a
 * loop enters a read section, translates a random 8-byte-aligned RAM address below ram_span through
 * the block table at ram_root, writes a 64-bit value there (relaxed atomic store) and leaves the
 * section (QSBR: announces a quiescent state instead). Used to check, from Java, that C readers never
 * touch a reclaimed block while Java adds and frees blocks.
 */
typedef struct gm_reader_config {
    uint64_t rcu_table;   /* gm_rcu_table_header address of the Java domain */
    uint64_t ram_root;    /* gm_ram_root address of the Java RamList */
    uint64_t ram_span;    /* addresses are drawn from [0, ram_span) */
    uint32_t threads;     /* 1..64 */
    uint32_t seed;
} gm_reader_config;

typedef struct gm_reader_stats {
    uint64_t ops;         /* read sections run */
    uint64_t written;     /* addresses translated and written */
    uint64_t misses;      /* addresses no block held (-EFAULT / -ERANGE) */
    uint64_t errors;      /* registration failures */
} gm_reader_stats;

/* Starts the threads; *handle_out identifies them for gm_readers_stop. */
GM_API int32_t gm_readers_start(const gm_reader_config *cfg, uint64_t *handle_out);
/* Stops and joins the threads (they unregister), fills *out, frees the handle. */
GM_API int32_t gm_readers_stop(uint64_t handle, gm_reader_stats *out);

/* ------------------------------------------------ C writer threads (migration tests, soak) */
/*
 * Threads that behave like a C device model writing guest RAM during a live migration: each joins the
 * RCU domain at rcu_table and in a loop enters a read section, writes 8 bytes at a random 8-byte-aligned
 * RAM address below ram_span (translated through ram_root), marks that page dirty for client_mask
 * through dirty_root, and leaves the section (QSBR: then announces a quiescent state). client_mask 0
 * writes without marking: the broken device model a migration test must catch losing pages.
 * gm_writers_pause parks every thread outside its read section (the device stopped for the switch-over:
 * every write made so far is marked), gm_writers_resume lets them go on.
 */
#define GM_WRITERS_RAM_WRITE 0x1u /* flags: write through gm_ram_write (memcpy) instead of a relaxed
                                     8-byte atomic store followed by gm_dirty_set_range */

typedef struct gm_writer_config {
    uint64_t rcu_table;   /* gm_rcu_table_header address of the Java domain */
    uint64_t ram_root;    /* gm_ram_root address of the Java RamList */
    uint64_t dirty_root;  /* gm_dirty_root address of its DirtyMemory */
    uint64_t ram_span;    /* addresses are drawn from [0, ram_span) */
    uint32_t threads;     /* 1..64 */
    uint32_t seed;
    uint32_t client_mask; /* GM_DIRTY_MASK_*; 0 = do not mark (broken on purpose) */
    uint32_t flags;       /* GM_WRITERS_* */
    uint64_t writes_per_second; /* all threads together; 0 = as fast as they can */
} gm_writer_config;

typedef struct gm_writer_stats {
    uint64_t ops;         /* read sections run */
    uint64_t written;     /* addresses translated and written */
    uint64_t marked;      /* writes marked dirty */
    uint64_t misses;      /* addresses no block held (-EFAULT / -ERANGE) */
    uint64_t errors;      /* registration or marking failures */
} gm_writer_stats;

/* Starts the threads; *handle_out identifies them. -EINVAL for a bad config. */
GM_API int32_t gm_writers_start(const gm_writer_config *cfg, uint64_t *handle_out);
/* Parks every thread outside its read section and returns once all are parked (idempotent). */
GM_API int32_t gm_writers_pause(uint64_t handle);
/* Lets parked threads go on. */
GM_API int32_t gm_writers_resume(uint64_t handle);
/* Writes done so far by all threads (a running count, relaxed), or -EINVAL. */
GM_API int64_t gm_writers_written(uint64_t handle);
/* Stops and joins the threads (they unregister), fills *out, frees the handle. */
GM_API int32_t gm_writers_stop(uint64_t handle, gm_writer_stats *out);

/* ------------------------------------------------ litmus sides (the mixed Java/C parity mode) */
/*
 * The C threads of the litmus scenarios of ORDERING.md (defined in native/harness/litmus.table), for
 * a caller that runs the other thread itself, in Java on the same native words. A run is an array of
 * n cells (one instance of the scenario's shared words each, gm_litmus_cell_size bytes, 64-byte
 * aligned); the two sides meet at a spin rendezvous before every cell and write one result word per
 * cell into their own register array; gm_litmus_observe then turns cells and registers into the
 * table's observed values. Scenario and variant names are the table's; the variant index is
 * gm_litmus_variant_index's. Errors: -ENOENT unknown scenario or variant, -EINVAL bad argument.
 *
 * The rendezvous word block (GM_LITMUS_SYNC_BYTES, zeroed, 64-byte aligned): side r stores the number
 * of cells it has started at byte offset 64 * r (release) and spins until the other side's word
 * reaches it (acquire), the C11 twin of the Java side's setRelease/getAcquire. The word after it (byte
 * offset 64 * r + 8) counts the cells whose rendezvous side r left only after yielding its CPU (the
 * other side was not running); read it after both sides returned.
 */
#define GM_LITMUS_SYNC_BYTES 128
#define GM_LITMUS_UPDATER 0 /* thread 0 of the table's "threads" line */
#define GM_LITMUS_READER 1  /* thread 1 */

/* Bytes of one cell of scenario, or -ENOENT. */
GM_API int64_t gm_litmus_cell_size(const char *scenario);
/* Number of observed values per cell (the table's "observe" lines), or -ENOENT. */
GM_API int32_t gm_litmus_observe_count(const char *scenario);
/* Index of variant in scenario, or -ENOENT. */
GM_API int32_t gm_litmus_variant_index(const char *scenario, const char *variant);
/* Makes cells[0..n) fresh for the variant (RCU scenarios register their one reader here). */
GM_API int32_t gm_litmus_cells_init(const char *scenario, int32_t variant, void *cells, int64_t n);
/* Runs side role (GM_LITMUS_UPDATER or GM_LITMUS_READER) of the variant over cells[0..n) on the
 * calling thread; regs[i] receives the side's result word for cell i. Returns when all n are done. */
GM_API int32_t gm_litmus_side(const char *scenario, int32_t variant, int32_t role, void *cells, uint64_t *regs,
                              int64_t n, uint64_t *sync);
/* After both sides returned: values[i * count + k] = observed value k of cell i (count as above). */
GM_API int32_t gm_litmus_observe(const char *scenario, int32_t variant, const void *cells, const uint64_t *regs0,
                                 const uint64_t *regs1, int64_t n, uint32_t *values);

#ifdef __cplusplus
}
#endif
#endif /* GUESTMEM_H */
