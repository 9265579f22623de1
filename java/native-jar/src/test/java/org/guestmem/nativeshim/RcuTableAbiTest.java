package org.guestmem.nativeshim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemoryLayout.PathElement;
import org.guestmem.bindings.gm_rcu_slot;
import org.guestmem.bindings.gm_rcu_table_header;
import org.guestmem.bindings.guestmem_h;
import org.guestmem.rcu.RcuReaderTableDescriptor;
import org.guestmem.rcu.Rcu;
import org.junit.jupiter.api.Test;

/** The Java reader-table descriptor and guestmem.h's C view of it describe the same bytes. */
class RcuTableAbiTest {
    @Test
    void descriptorMatchesTheCHeader() {
        NativeShim.ensureLoaded();
        var h = gm_rcu_table_header.layout();
        var s = gm_rcu_slot.layout();
        assertEquals(RcuReaderTableDescriptor.HEADER_SIZE, h.byteSize());
        assertEquals(RcuReaderTableDescriptor.SLOT_SIZE, s.byteSize());
        assertEquals(RcuReaderTableDescriptor.MAGIC_OFFSET, h.byteOffset(PathElement.groupElement("magic")));
        assertEquals(RcuReaderTableDescriptor.GP_CTR_OFFSET, h.byteOffset(PathElement.groupElement("gp_ctr")));
        assertEquals(RcuReaderTableDescriptor.SLOT_COUNT_OFFSET, h.byteOffset(PathElement.groupElement("slot_count")));
        assertEquals(RcuReaderTableDescriptor.FLAVOR_OFFSET, h.byteOffset(PathElement.groupElement("flavor")));
        assertEquals(RcuReaderTableDescriptor.SLOT_LIMIT_OFFSET, h.byteOffset(PathElement.groupElement("slot_limit")));
        assertEquals(RcuReaderTableDescriptor.SLOT_CTR_OFFSET, s.byteOffset(PathElement.groupElement("ctr")));
        assertEquals(RcuReaderTableDescriptor.SLOT_OWNER_OFFSET, s.byteOffset(PathElement.groupElement("owner")));
        assertEquals(RcuReaderTableDescriptor.SLOT_WAITING_OFFSET, s.byteOffset(PathElement.groupElement("waiting")));
        assertEquals(RcuReaderTableDescriptor.MAGIC_VALUE, guestmem_h.GM_RCU_MAGIC());
        assertEquals(RcuReaderTableDescriptor.GP_INITIAL, guestmem_h.GM_RCU_GP_INITIAL());
        assertEquals(RcuReaderTableDescriptor.GP_STEP, guestmem_h.GM_RCU_GP_STEP());
        assertEquals(RcuReaderTableDescriptor.OWNER_KIND_C, guestmem_h.GM_RCU_OWNER_KIND_C());
        assertEquals(Rcu.Flavor.FENCE.ordinal(), guestmem_h.GM_RCU_FLAVOR_FENCE());
        assertEquals(Rcu.Flavor.MEMBARRIER.ordinal(), guestmem_h.GM_RCU_FLAVOR_MEMBARRIER());
        assertEquals(Rcu.Flavor.QSBR.ordinal(), guestmem_h.GM_RCU_FLAVOR_QSBR());
    }
}
