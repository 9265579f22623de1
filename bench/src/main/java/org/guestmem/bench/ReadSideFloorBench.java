package org.guestmem.bench;

import static org.guestmem.rcu.RcuReaderTableDescriptor.GP_CTR_OFFSET;
import static org.guestmem.rcu.RcuReaderTableDescriptor.WORD;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.guestmem.rcu.RcuFences;
import org.guestmem.rcu.RcuReaderTableDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under a Java read-side section: the parts of {@code Rcu.read()} that no implementation of this
 * design can skip, each alone, so the read-side rows can be read against them.
 * <ul>
 * <li>{@code threadLocal}: finding the calling thread's state, a {@code static final ThreadLocal.get()}
 *     (liburcu reaches its reader through TLS, a register-relative load).</li>
 * <li>{@code offHeapWords}: the four accesses of an outermost MEMBARRIER section, RL-1 (load GP_CTR), RL-2
 *     (store CTR), RU-1 (release store CTR = 0), RU-3 (acquire load WAITING), with the same compiler-only
 *     fences, on a reader table in a shared arena as the domain allocates it; each access carries the FFM
 *     bounds, alignment and liveness checks.</li>
 * <li>{@code offHeapWordsPlain}: the same with plain accesses (not a correct protocol: it shows what the
 *     access modes cost on a segment).</li>
 * <li>{@code onHeapWords}: the same four accesses on fields of a Java object (GP_CTR too): what the section
 *     would cost if C readers did not share GP_CTR.</li>
 * <li>{@code heapWordsGlobalGp}: the previous release's path: CTR and WAITING on fields of a Java object,
 *     GP_CTR off-heap (C readers read it too), loaded through a {@code static final} global-scope segment
 *     spanning the address space at the word's absolute address, so C2 folds the segment's checks.</li>
 * <li>{@code heapWordsHeapGp}: the library's path: CTR and WAITING on fields of the reader object, GP_CTR's
 *     heap copy in an object of its own that the reader references (as {@code RcuReader} reaches its
 *     {@code GpMirror}).</li>
 * </ul>
 * The {@code …Batch} floors are timed as the read-side goal rows are ({@link RcuReadBench#BATCH} sections per
 * call, a compiler-only barrier in each), for the QSBR rows, whose peer (liburcu qsbr) has an empty section:
 * <ul>
 * <li>{@code emptySectionBatch}: the loop and its barrier alone, the Java twin of the liburcu qsbr loop.</li>
 * <li>{@code depthBatch}: the least a section that keeps the misuse checks must do: store its depth on
 *     entry, test and store it on exit (a close without a read must throw; quiescentState() and
 *     threadOffline() inside a section too), on a field of a Java object. {@code RcuReader.Qsbr} adds the
 *     owner check.</li>
 * </ul>
 * None of these is a guestmem feature; they are reference points, reported beside liburcu's memb read side.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED"})
public class ReadSideFloorBench {
    private static final ThreadLocal<Object> STATE = ThreadLocal.withInitial(Object::new);
    private static final VarHandle GP;
    private static final VarHandle CTR;
    private static final VarHandle WAITING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            GP = l.findVarHandle(HeapWords.class, "gp", long.class);
            CTR = l.findVarHandle(HeapWords.class, "ctr", long.class);
            WAITING = l.findVarHandle(HeapWords.class, "waiting", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The on-heap stand-in for a slot; this benchmark thread only. */
    static final class HeapWords {
        long gp = RcuReaderTableDescriptor.GP_INITIAL;
        long ctr;
        long waiting;
        /** The stand-in for a QSBR reader's depth (and online flag); this benchmark thread only. */
        int depth = 1;
        /** The stand-in for the reader's reference to GP_CTR's heap copy. */
        HeapWords gpCopy;
    }

    /** Global scope, a constant: what {@code RcuReader} reads GP_CTR through. */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    Arena arena;
    MemorySegment table;
    long gpAddress;
    long ctrOffset;
    long waitingOffset;
    final HeapWords heap = new HeapWords();

    {
        heap.gpCopy = new HeapWords(); // its own object, as GpMirror is
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        table = arena.allocate(RcuReaderTableDescriptor.tableSize(4), RcuReaderTableDescriptor.TABLE_ALIGNMENT);
        WORD.set(table, GP_CTR_OFFSET, RcuReaderTableDescriptor.GP_INITIAL);
        gpAddress = table.address() + GP_CTR_OFFSET;
        ctrOffset = RcuReaderTableDescriptor.ctrOffset(1);
        waitingOffset = RcuReaderTableDescriptor.waitingOffset(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Object threadLocal() {
        return STATE.get();
    }

    @Benchmark
    public long offHeapWords() {
        long gp = (long) WORD.getOpaque(table, GP_CTR_OFFSET);
        WORD.setOpaque(table, ctrOffset, gp);
        RcuFences.readerCompilerOnly();
        WORD.setRelease(table, ctrOffset, 0L);
        RcuFences.readerCompilerOnly();
        return (long) WORD.getAcquire(table, waitingOffset);
    }

    @Benchmark
    public long offHeapWordsPlain() {
        long gp = (long) WORD.get(table, GP_CTR_OFFSET);
        WORD.set(table, ctrOffset, gp);
        RcuFences.readerCompilerOnly();
        WORD.set(table, ctrOffset, 0L);
        RcuFences.readerCompilerOnly();
        return (long) WORD.get(table, waitingOffset);
    }

    @Benchmark
    public long onHeapWords() {
        HeapWords h = heap;
        long gp = (long) GP.getOpaque(h);
        CTR.setOpaque(h, gp);
        RcuFences.readerCompilerOnly();
        CTR.setRelease(h, 0L);
        RcuFences.readerCompilerOnly();
        return (long) WAITING.getAcquire(h);
    }

    @Benchmark
    public long heapWordsGlobalGp() {
        HeapWords h = heap;
        long gp = (long) WORD.getOpaque(ALL, gpAddress);
        CTR.setOpaque(h, gp);
        RcuFences.readerCompilerOnly();
        CTR.setRelease(h, 0L);
        RcuFences.readerCompilerOnly();
        return (long) WAITING.getAcquire(h);
    }

    @Benchmark
    public long heapWordsHeapGp() {
        HeapWords h = heap;
        long gp = (long) GP.getOpaque(h.gpCopy);
        CTR.setOpaque(h, gp);
        RcuFences.readerCompilerOnly();
        CTR.setRelease(h, 0L);
        RcuFences.readerCompilerOnly();
        return (long) WAITING.getAcquire(h);
    }

    @Benchmark
    @OperationsPerInvocation(RcuReadBench.BATCH)
    public void emptySectionBatch() {
        for (int k = 0; k < RcuReadBench.BATCH; k++) {
            RcuFences.readerCompilerOnly();
        }
    }

    @Benchmark
    @OperationsPerInvocation(RcuReadBench.BATCH)
    @Threads(2)
    public void emptySectionBatch2() {
        emptySectionBatch();
    }

    @Benchmark
    @OperationsPerInvocation(RcuReadBench.BATCH)
    public void depthBatch() {
        HeapWords h = heap;
        for (int k = 0; k < RcuReadBench.BATCH; k++) {
            h.depth = 3; // online, depth 1 (RcuReader.Qsbr's encoding)
            RcuFences.readerCompilerOnly();
            if (h.depth != 3) {
                throw new IllegalStateException("depth " + h.depth);
            }
            h.depth = 1;
        }
    }

    @Benchmark
    @OperationsPerInvocation(RcuReadBench.BATCH)
    @Threads(2)
    public void depthBatch2() {
        depthBatch();
    }
}
