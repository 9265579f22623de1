/* The registry of litmus scenario implementations (the scenarios themselves: litmus_*.c). */
#include "litmus.h"

#include <string.h>

static const gm_litmus_impl *const impls[] = {
    &gm_litmus_mp_version, &gm_litmus_rcu_gp, &gm_litmus_mru_clear, &gm_litmus_version_drop, &gm_litmus_sb_reader,
};

const gm_litmus_impl *const *gm_litmus_impls(int *count)
{
    *count = (int)(sizeof impls / sizeof impls[0]);
    return impls;
}

const gm_litmus_impl *gm_litmus_find(const char *id)
{
    for (size_t k = 0; k < sizeof impls / sizeof impls[0]; k++) {
        if (strcmp(impls[k]->id, id) == 0) {
            return impls[k];
        }
    }
    return NULL;
}

int gm_litmus_variant(const gm_litmus_impl *impl, const char *name)
{
    for (int k = 0; k < impl->nvariants; k++) {
        if (strcmp(impl->variants[k], name) == 0) {
            return k;
        }
    }
    return -1;
}
