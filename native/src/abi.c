/* gm_abi_*: what the C compiler knows about guestmem.h, for the Java binding test. */
#include "guestmem.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define GM_SIZE(T)     { sizeof(T), #T ".sizeof" }
#define GM_ALIGN(T)    { _Alignof(T), #T ".alignof" }
#define GM_OFF(T, F)   { offsetof(T, F), #T "." #F ".offset" }
#define GM_FSIZE(T, F) { sizeof(((T *)0)->F), #T "." #F ".sizeof" }

struct abi_fact { uint64_t value; const char *name; };

static const struct abi_fact facts[] = {
    /* One entry per "constant" of bindings/symbols.txt (GM_ABI_VERSION among them). */
#include "gm_abi_constants.inc"
    GM_SIZE(gm_abi_entry), GM_ALIGN(gm_abi_entry),
    GM_OFF(gm_abi_entry, value), GM_OFF(gm_abi_entry, name), GM_FSIZE(gm_abi_entry, name),
    GM_SIZE(gm_mapping), GM_ALIGN(gm_mapping),
    GM_OFF(gm_mapping, addr), GM_OFF(gm_mapping, size), GM_OFF(gm_mapping, fd),
    GM_OFF(gm_mapping, kind), GM_OFF(gm_mapping, flags), GM_OFF(gm_mapping, reserved),
    GM_SIZE(gm_block_entry), GM_ALIGN(gm_block_entry),
    GM_OFF(gm_block_entry, offset), GM_OFF(gm_block_entry, used_length), GM_OFF(gm_block_entry, max_length),
    GM_OFF(gm_block_entry, host), GM_OFF(gm_block_entry, flags), GM_OFF(gm_block_entry, reserved),
    GM_SIZE(gm_block_table), GM_ALIGN(gm_block_table),
    GM_OFF(gm_block_table, version), GM_OFF(gm_block_table, count), GM_OFF(gm_block_table, reserved),
    GM_SIZE(gm_ram_root), GM_ALIGN(gm_ram_root),
    GM_OFF(gm_ram_root, table), GM_OFF(gm_ram_root, version),
    GM_SIZE(gm_rcu_table_header), GM_ALIGN(gm_rcu_table_header),
    GM_OFF(gm_rcu_table_header, magic), GM_OFF(gm_rcu_table_header, gp_ctr), GM_OFF(gm_rcu_table_header, slot_count),
    GM_OFF(gm_rcu_table_header, flavor), GM_OFF(gm_rcu_table_header, slot_limit), GM_OFF(gm_rcu_table_header, pad),
    GM_SIZE(gm_rcu_slot), GM_ALIGN(gm_rcu_slot),
    GM_OFF(gm_rcu_slot, ctr), GM_OFF(gm_rcu_slot, owner), GM_OFF(gm_rcu_slot, waiting), GM_OFF(gm_rcu_slot, pad),
    GM_SIZE(gm_rcu_reader), GM_ALIGN(gm_rcu_reader),
    GM_OFF(gm_rcu_reader, table), GM_OFF(gm_rcu_reader, slot), GM_OFF(gm_rcu_reader, depth), GM_OFF(gm_rcu_reader, flavor),
    GM_SIZE(gm_reader_config), GM_ALIGN(gm_reader_config),
    GM_OFF(gm_reader_config, rcu_table), GM_OFF(gm_reader_config, ram_root), GM_OFF(gm_reader_config, ram_span),
    GM_OFF(gm_reader_config, threads), GM_OFF(gm_reader_config, seed),
    GM_SIZE(gm_reader_stats), GM_ALIGN(gm_reader_stats),
    GM_OFF(gm_reader_stats, ops), GM_OFF(gm_reader_stats, written), GM_OFF(gm_reader_stats, misses), GM_OFF(gm_reader_stats, errors),
    GM_SIZE(gm_dirty_table), GM_ALIGN(gm_dirty_table),
    GM_OFF(gm_dirty_table, chunk_count), GM_OFF(gm_dirty_table, chunk_pages), GM_OFF(gm_dirty_table, page_shift),
    GM_SIZE(gm_dirty_root), GM_ALIGN(gm_dirty_root), GM_OFF(gm_dirty_root, table),
    GM_SIZE(gm_writer_config), GM_ALIGN(gm_writer_config),
    GM_OFF(gm_writer_config, rcu_table), GM_OFF(gm_writer_config, ram_root), GM_OFF(gm_writer_config, dirty_root),
    GM_OFF(gm_writer_config, ram_span), GM_OFF(gm_writer_config, threads), GM_OFF(gm_writer_config, seed),
    GM_OFF(gm_writer_config, client_mask), GM_OFF(gm_writer_config, flags), GM_OFF(gm_writer_config, writes_per_second),
    GM_SIZE(gm_writer_stats), GM_ALIGN(gm_writer_stats),
    GM_OFF(gm_writer_stats, ops), GM_OFF(gm_writer_stats, written), GM_OFF(gm_writer_stats, marked),
    GM_OFF(gm_writer_stats, misses), GM_OFF(gm_writer_stats, errors),
    /* New structs of guestmem.h add their facts here (sizeof, alignof, every field offset). */
};

GM_API int32_t gm_abi_version(void) { return GM_ABI_VERSION; }

GM_API int32_t gm_abi_entry_count(void) { return (int32_t)(sizeof facts / sizeof facts[0]); }

GM_API int32_t gm_abi_entry_at(int32_t index, gm_abi_entry *out)
{
    if (out == NULL || index < 0 || index >= gm_abi_entry_count()) {
        return -EINVAL;
    }
    memset(out, 0, sizeof *out);
    out->value = facts[index].value;
    snprintf(out->name, sizeof out->name, "%s", facts[index].name);
    return 0;
}
