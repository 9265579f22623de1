/* membarrier(2) through the shim: query, register, issue; a kernel without it reports -ENOSYS cleanly. */
#include "guestmem.h"
#include "tap.h"

#include <errno.h>

int main(void)
{
    int32_t mask = gm_membarrier_query();
    ok(mask >= 0 || mask == -ENOSYS, "query returns a mask or -ENOSYS (got %d)", mask);
    if (mask >= 0 && (mask & GM_MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
        ok(gm_membarrier_register() == 0, "register private expedited");
        ok(gm_membarrier_register() == 0, "registering twice is fine");
        for (int i = 0; i < 1000; i++) {
            if (gm_membarrier() != 0) {
                ok(0, "membarrier #%d", i);
                break;
            }
        }
        ok(gm_membarrier() == 0, "1001 private expedited barriers");
    } else {
        ok(gm_membarrier_register() < 0, "register fails cleanly without kernel support");
        printf("# membarrier private expedited not available on this kernel\n");
    }
    return tap_done();
}
