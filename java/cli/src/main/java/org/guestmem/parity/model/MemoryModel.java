package org.guestmem.parity.model;

/**
 * The models the checker decides, each with the mapping from the C11 accesses of a litmus test to what the
 * model executes (the standard compilation schemes; see docs/PARITY.md "Formal verdicts").
 */
public enum MemoryModel {
    /** Sequential consistency: acyclic(po | rf | co | fr); every access as it is. */
    SC("SC", "every access and fence in program order (interleavings)"),
    /**
     * x86-TSO (Owens, Sarkar, Sewell 2009), axiomatic: uniproc, and acyclic(ppo | mfence | locked | rfe | co | fr)
     * with ppo = po minus store-&gt;load. Mapping: every load MOV; a non-seq_cst store MOV; a seq_cst store XCHG
     * (locked: a full barrier, like MOV+MFENCE); read-modify-writes LOCK-prefixed; a seq_cst fence MFENCE;
     * acquire/release fences and smp_rmb/smp_wmb nothing (compiler barriers).
     */
    TSO("x86-TSO", "MOV for loads and stores, XCHG for a seq_cst store, LOCK for RMW, MFENCE for a seq_cst fence; "
            + "acquire/release fences emit nothing"),
    /**
     * ARMv8 AArch64 (Pulte, Flur, Deacon, French, Sarkar, Sewell, POPL 2018), multicopy-atomic axiomatic:
     * internal = acyclic(po-loc | ca | rf), external = acyclic(ob) with ob from obs, dob, aob, bob, and atomic.
     * Mapping: plain and relaxed loads LDR, stores STR; acquire and seq_cst loads LDAR; release and seq_cst
     * stores STLR; RMW LDXR/STXR (LDAXR for acquire, STLXR for release); seq_cst and release fences DMB ISH;
     * acquire fences and smp_rmb DMB ISHLD; smp_wmb DMB ISHST.
     */
    ARMV8("ARMv8", "LDR/STR for plain and relaxed, LDAR for acquire and seq_cst loads, STLR for release and "
            + "seq_cst stores, DMB ISH for seq_cst and release fences, DMB ISHLD for acquire fences and smp_rmb, "
            + "DMB ISHST for smp_wmb"),
    /**
     * RC11 (Lahav, Vafeiadis, Kang, Hur, Dreyer, PLDI 2017): coherence (hb;eco? irreflexive), atomicity
     * (rmw and rb;mo disjoint), SC (psc acyclic), no-thin-air (po | rf acyclic); a data race on a plain access
     * in a consistent execution makes the program undefined. The C11 modes as written; smp_wmb a release
     * fence, smp_rmb an acquire fence.
     */
    RC11("RC11", "the C11 modes as written; a race on a plain access is undefined behaviour");

    private final String label;
    private final String mapping;

    MemoryModel(String label, String mapping) {
        this.label = label;
        this.mapping = mapping;
    }

    /** The model's usual name. */
    public String label() {
        return label;
    }

    /** How the test's C11 accesses map onto it. */
    public String mapping() {
        return mapping;
    }
}
