/* litmus_side.c: the exported face of the litmus bodies (guestmem.h "litmus sides"), so that a Java
 * thread can race a C thread on the same native cells. */
#include "litmus.h"

#include <errno.h>

static const gm_litmus_impl *impl_of(const char *scenario)
{
    return scenario == NULL ? NULL : gm_litmus_find(scenario);
}

static int valid(const gm_litmus_impl *impl, int32_t variant, const void *cells, int64_t n)
{
    return variant >= 0 && variant < impl->nvariants && cells != NULL && ((uintptr_t)cells & 63u) == 0 && n >= 0;
}

GM_API int64_t gm_litmus_cell_size(const char *scenario)
{
    const gm_litmus_impl *impl = impl_of(scenario);
    return impl ? (int64_t)impl->cell_size : -ENOENT;
}

GM_API int32_t gm_litmus_observe_count(const char *scenario)
{
    const gm_litmus_impl *impl = impl_of(scenario);
    return impl ? impl->nobserve : -ENOENT;
}

GM_API int32_t gm_litmus_variant_index(const char *scenario, const char *variant)
{
    const gm_litmus_impl *impl = impl_of(scenario);
    int v = impl && variant ? gm_litmus_variant(impl, variant) : -1;
    return v < 0 ? -ENOENT : v;
}

GM_API int32_t gm_litmus_cells_init(const char *scenario, int32_t variant, void *cells, int64_t n)
{
    const gm_litmus_impl *impl = impl_of(scenario);
    if (impl == NULL) {
        return -ENOENT;
    }
    if (!valid(impl, variant, cells, n)) {
        return -EINVAL;
    }
    for (int64_t i = 0; i < n; i++) {
        int32_t rc = impl->init((char *)cells + (size_t)i * impl->cell_size, variant);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

GM_API int32_t gm_litmus_side(const char *scenario, int32_t variant, int32_t role, void *cells, uint64_t *regs,
                              int64_t n, uint64_t *sync)
{
    const gm_litmus_impl *impl = impl_of(scenario);
    if (impl == NULL) {
        return -ENOENT;
    }
    if (!valid(impl, variant, cells, n) || (role != GM_LITMUS_UPDATER && role != GM_LITMUS_READER) || regs == NULL
        || sync == NULL || ((uintptr_t)sync & 63u) != 0) {
        return -EINVAL;
    }
    _Static_assert(sizeof(gm_litmus_sync) == GM_LITMUS_SYNC_BYTES, "rendezvous block size");
    impl->body[role](cells, regs, n, variant, (gm_litmus_sync *)sync);
    return 0;
}

GM_API int32_t gm_litmus_observe(const char *scenario, int32_t variant, const void *cells, const uint64_t *regs0,
                                 const uint64_t *regs1, int64_t n, uint32_t *values)
{
    const gm_litmus_impl *impl = impl_of(scenario);
    if (impl == NULL) {
        return -ENOENT;
    }
    if (!valid(impl, variant, cells, n) || regs0 == NULL || regs1 == NULL || values == NULL) {
        return -EINVAL;
    }
    for (int64_t i = 0; i < n; i++) {
        impl->observe((const char *)cells + (size_t)i * impl->cell_size, regs0[i], regs1[i], variant,
                      values + (size_t)i * (size_t)impl->nobserve);
    }
    return 0;
}
