/* membarrier(2): the writer half of the MEMBARRIER RCU flavor (smp_mb_global in QEMU's words). */
#include "guestmem.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MEMBARRIER_CMD_QUERY 0

static int32_t membarrier_call(int cmd)
{
#ifdef SYS_membarrier
    long rc = syscall(SYS_membarrier, cmd, 0u, 0);
    return rc < 0 ? -errno : (int32_t)rc;
#else
    (void)cmd;
    return -ENOSYS;
#endif
}

GM_API int32_t gm_membarrier_query(void) { return membarrier_call(MEMBARRIER_CMD_QUERY); }

GM_API int32_t gm_membarrier_register(void)
{
    int32_t mask = gm_membarrier_query();
    if (mask < 0) {
        return mask;
    }
    if (!(mask & GM_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) || !(mask & GM_MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
        return -ENOSYS;
    }
    return membarrier_call(GM_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED);
}

GM_API int32_t gm_membarrier(void) { return membarrier_call(GM_MEMBARRIER_CMD_PRIVATE_EXPEDITED); }
