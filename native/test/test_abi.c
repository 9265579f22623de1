/* The ABI report is complete and well-formed; sigcheck.c (linked in) proves the header matches bindings/symbols.txt. */
#include "guestmem.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

int gm_sigcheck_ok(void);

int main(void)
{
    gm_abi_entry e;
    ok(gm_sigcheck_ok() == 1, "header prototypes match bindings/symbols.txt (compile-time)");
    ok(gm_abi_version() == GM_ABI_VERSION, "gm_abi_version() == GM_ABI_VERSION (%d)", GM_ABI_VERSION);
    int n = gm_abi_entry_count();
    ok(n > 10, "%d ABI facts reported", n);
    int found_mapping = 0;
    for (int i = 0; i < n; i++) {
        if (gm_abi_entry_at(i, &e) != 0 || e.name[0] == '\0') {
            ok(0, "entry %d readable", i);
        }
        if (strcmp(e.name, "gm_mapping.sizeof") == 0) {
            found_mapping = e.value == sizeof(gm_mapping);
        }
    }
    ok(found_mapping, "gm_mapping.sizeof reported as %zu", sizeof(gm_mapping));
    ok(gm_abi_entry_at(n, &e) == -EINVAL, "index past the end gives -EINVAL");
    ok(gm_abi_entry_at(-1, &e) == -EINVAL, "negative index gives -EINVAL");
    ok(gm_abi_entry_at(0, NULL) == -EINVAL, "NULL out gives -EINVAL");
    return tap_done();
}
