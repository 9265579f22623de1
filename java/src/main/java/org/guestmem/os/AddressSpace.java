package org.guestmem.os;

import java.lang.foreign.MemorySegment;

/**
 * The whole address space as one global-scope segment: the library's one restricted {@code reinterpret} of
 * that kind. A {@code static final} field is a constant for C2, so an access through {@link #ALL} at an
 * absolute address keeps no liveness or bounds check. Only code that has already proven the address live
 * uses it: the RCU reader's GP_CTR load (the table outlives its domain's readers), and guest RAM and dirty
 * words reached inside a read section after the range check (memory is unmapped only after a grace period;
 * docs/DESIGN.md, "The scalar hot path skips the block segment's checks").
 */
public final class AddressSpace {
    /** Every byte of the address space, global scope. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private AddressSpace() {}
}
