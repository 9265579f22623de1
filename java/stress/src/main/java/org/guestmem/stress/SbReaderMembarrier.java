package org.guestmem.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;
import org.guestmem.rcu.Rcu;
import org.guestmem.rcu.RcuFences;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * SB-reader (ORDERING.md), the MEMBARRIER flavor: compiler-only barrier on the reader, full fence plus
 * membarrier(2) on the writer: either the writer's scan sees the reader's counter, or the reader's first load
 * sees the writer's unpublish; never neither. Expected: the forbidden outcome never appears, in interpreter, C1
 * and C2 (this is HotSpot behaviour, not a JMM promise).
 */
@JCStressTest
@Description("SB-reader, the MEMBARRIER flavor: compiler-only barrier on the reader, full fence plus membarrier(2) on the writer")
@Outcome(id = RcuLitmusOutcomes.SB_BOTH, expect = ACCEPTABLE, desc = "both saw each other")
@Outcome(id = RcuLitmusOutcomes.SB_READER_SAW_NEW, expect = ACCEPTABLE, desc = "reader saw the new pointer, writer saw no reader")
@Outcome(id = RcuLitmusOutcomes.SB_WRITER_SAW_READER, expect = ACCEPTABLE, desc = "writer saw the reader, reader saw the old pointer")
@Outcome(id = RcuLitmusOutcomes.SB_NEITHER, expect = FORBIDDEN, desc = "store buffering: the writer would free what the reader holds")
@Outcome(expect = FORBIDDEN, desc = "not a possible result")
@State
public class SbReaderMembarrier {
    private final SbReaderState state = new SbReaderState();

    @Actor
    public void reader(II_Result r) {
        state.readerPublishCtr(); // RL-2
        RcuFences.readerCompilerOnly(); // RL-3
        state.readerLoadPointer(r);
    }

    @Actor
    public void writer(II_Result r) {
        state.writerUnpublish();
        RcuFences.global(Rcu.Flavor.MEMBARRIER); // GP-1
        state.writerScan(r); // GP-3
    }
}
