package org.guestmem.rcu;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.commons.lang3.Validate;

/**
 * An RCU domain (QEMU's util/rcu.c, liburcu): read-side sections that nest, {@link #synchronize()} that waits
 * for every section open when it was called, and {@link #callRcu(Runnable)} whose callbacks a reclaimer thread
 * runs after a grace period, batched and in FIFO order. Several domains may exist; {@link #global()} is the
 * process-wide default.
 *
 * <h2>Flavors</h2>
 * <ul>
 * <li>{@link Flavor#FENCE}: portable, pure Java memory model: a full fence on the outermost lock and unlock
 *     (QEMU built without membarrier, liburcu mb).</li>
 * <li>{@link Flavor#MEMBARRIER}: readers issue no hardware fence, only compiler-ordering fences; the writer
 *     issues {@code membarrier(2)} (liburcu memb, QEMU with membarrier). This relies on how HotSpot compiles
 *     {@code VarHandle} fences, not on the JMM: opt-in, refused with {@link IllegalStateException} where the
 *     kernel lacks private expedited membarrier, where the guestmem native library cannot be loaded, and on a
 *     JVM whose JIT is not HotSpot's C1/C2 (a JVMCI compiler such as Graal) unless
 *     {@code -Dguestmem.rcu.membarrier.anyJit=true}.</li>
 * <li>{@link Flavor#QSBR}: quiescent-state based (liburcu qsbr). A thread registered with
 *     {@link #registerThread()} is online: its read sections cost nothing, and it must call
 *     {@link #quiescentState()} regularly (the top of a vCPU loop) and {@link #threadOffline()} before it
 *     blocks. A thread that only calls {@link #read()} is registered offline and goes online for each outermost
 *     section (about the cost of FENCE).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * A Java thread registers on its first {@link #read()} (or explicitly), claiming one of the domain's
 * {@code maxReaders} Java slots; its reader words are fields of its {@link RcuReader} on the heap. C threads
 * claim slots of the off-heap reader table ({@link RcuReaderTableDescriptor}, also {@code maxReaders} slots),
 * and every grace period scans both. {@link #unregisterThread()} frees a Java slot. A thread that dies without
 * unregistering never blocks a grace period: the writer frees its slot when it waits for it, and a registration
 * that finds every Java slot taken frees slots of dead threads first; when all are held by live threads
 * registration throws IllegalStateException (the off-heap table has a fixed size too: C threads hold pointers
 * into it).
 * <b>Virtual threads work</b> like platform threads: each one that reads claims a slot (its own counter and
 * nesting depth, kept with the virtual thread, not its carrier), so size {@code maxReaders} for the virtual
 * threads that read at the same time; slots of finished virtual threads are reaped as above.
 *
 * <p>Misuse throws IllegalStateException: {@link #synchronize()} or {@link #quiescentState()} inside a read
 * section, closing a section twice, {@link #drain()} or {@link #close()} from a callback. A callback that throws
 * is counted ({@link #callbackFailures()}) and reported to the failure handler (by default the
 * {@code org.guestmem.rcu} {@link System.Logger}); the reclaimer keeps running.
 */
public final class Rcu implements AutoCloseable {
    /** How readers and the writer order their accesses; chosen at creation. */
    public enum Flavor { FENCE, MEMBARRIER, QSBR }

    /** Slots of a domain made by {@link #create(Flavor)}. */
    public static final int DEFAULT_MAX_READERS = 256;
    private static final int GLOBAL_MAX_READERS = 4096;
    /** Threads with an id below this find their reader by id in read() (4 KiB per domain with compressed oops). */
    private static final int BY_THREAD_ID = 1024;
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger("org.guestmem.rcu");

    private final Flavor flavor;
    private final String name;
    private final boolean isGlobal;
    private final ReaderTable table;
    private final ReaderRegistry registry;
    private final GracePeriod gracePeriod;
    private final Reclaimer reclaimer;
    // Each thread's registration; the thread's own entry only.
    private final ThreadLocal<RcuReader> readers = new ThreadLocal<>();
    /**
     * read()'s lookup in front of {@link #readers}: the readers of threads whose id is below
     * {@link #BY_THREAD_ID}, indexed by that id, which costs fewer dependent loads than ThreadLocal.get().
     * Entry {@code i} is written (plain) only by the thread whose id is {@code i}, on a miss, and cleared by it
     * when it unregisters; thread ids are never reused, so no other thread ever stores there, and a thread's
     * own last store is visible to itself: the entry needs no owner check. Threads with larger ids use the
     * thread-local. The entry of a thread that died registered keeps its reader (and the Thread object)
     * reachable until the domain is; that is at most one reader per id below the bound.
     */
    private final RcuReader[] byThreadId = new RcuReader[BY_THREAD_ID];
    // Written once by close() (under this); read by registration, synchronize and callRcu.
    private volatile boolean closed;

    private Rcu(Flavor flavor, int maxReaders, boolean isGlobal) {
        this.flavor = flavor;
        this.isGlobal = isGlobal;
        this.name = isGlobal ? "global" : flavor.name().toLowerCase(Locale.ROOT) + "-" + IDS.incrementAndGet();
        this.table = ReaderTable.allocate(maxReaders, flavor);
        this.registry = new ReaderRegistry(new HeapSlots(maxReaders));
        this.gracePeriod = new GracePeriod(table, registry, flavor);
        this.reclaimer = new Reclaimer("rcu-reclaimer-" + name, gracePeriod::synchronize,
                t -> LOG.log(System.Logger.Level.ERROR, "RCU callback failed in domain " + name, t));
        reclaimer.start();
    }

    /** A new domain with {@link #DEFAULT_MAX_READERS} reader slots and its own reclaimer thread. */
    public static Rcu create(Flavor flavor) {
        return create(flavor, DEFAULT_MAX_READERS);
    }

    /** A new domain with {@code maxReaders} reader slots (1 to 65536) and its own reclaimer thread. */
    public static Rcu create(Flavor flavor, int maxReaders) {
        Validate.notNull(flavor, "flavor");
        Validate.inclusiveBetween(1, RcuReaderTableDescriptor.MAX_SLOTS, maxReaders,
                "maxReaders must be between 1 and %d, got %d", RcuReaderTableDescriptor.MAX_SLOTS, maxReaders);
        if (flavor == Flavor.MEMBARRIER) {
            MembarrierSupport.require();
        }
        return new Rcu(flavor, maxReaders, false);
    }

    /** The process-wide FENCE domain; created on first use, never closed. */
    public static Rcu global() {
        return Global.INSTANCE;
    }

    private static final class Global {
        static final Rcu INSTANCE = new Rcu(Flavor.FENCE, GLOBAL_MAX_READERS, true);
    }

    /** Opens a read section on the current thread (registering it on first use); nests; allocation-free. */
    public ReadSection read() {
        long id = Thread.currentThread().threadId();
        RcuReader r;
        if (id >= BY_THREAD_ID || (r = byThreadId[(int) id]) == null) {
            r = readerSlow(id);
        }
        r.lock();
        return r;
    }

    /** The calling thread's registration if it has one (the entry by id, else the thread-local), or null. */
    private RcuReader existing() {
        long id = Thread.currentThread().threadId();
        RcuReader r = id < BY_THREAD_ID ? byThreadId[(int) id] : null;
        return r != null ? r : readers.get();
    }

    // read()'s miss: the thread-local (registering if needed), then the entry by id for next time.
    private RcuReader readerSlow(long id) {
        RcuReader r = readers.get();
        if (r == null) {
            r = register(Thread.currentThread());
        }
        if (id < BY_THREAD_ID) {
            byThreadId[(int) id] = r;
        }
        return r;
    }

    /** The current thread's registration (registering it if needed), for loops that skip the thread-local. */
    public RcuReader reader() {
        RcuReader r = existing();
        return r != null ? r : register(Thread.currentThread());
    }

    /** Waits until every read section open when this was called (on any thread) has closed. */
    public void synchronize() {
        checkOpen("synchronize()");
        RcuReader r = existing();
        if (r == null) {
            gracePeriod.synchronize();
            return;
        }
        if (r.depth() > 0) {
            throw new IllegalStateException("synchronize() inside a read section of " + this + " on "
                    + Thread.currentThread().getName() + " (depth " + r.depth() + ") would wait for itself");
        }
        boolean wasOnline = r.online(); // QSBR: an online caller goes offline while it waits (liburcu does)
        if (wasOnline) {
            r.threadOfflineUnchecked();
        }
        try {
            gracePeriod.synchronize();
        } finally {
            if (wasOnline) {
                r.threadOnlineUnchecked();
            }
        }
    }

    /** Runs {@code callback} on the reclaimer thread after a grace period; FIFO, batched. */
    public void callRcu(Runnable callback) {
        Validate.notNull(callback, "callback");
        reclaimer.submit(callback, this); // refused once close() has begun; accepted callbacks always run
    }

    /** Waits until every callback queued before this call has run. A no-op on a closed domain. */
    public void drain() {
        if (closed) {
            return;
        }
        RcuReader r = existing();
        if (r == null) {
            reclaimer.drain();
            return;
        }
        if (r.depth() > 0) {
            throw new IllegalStateException("drain() inside a read section of " + this + " on "
                    + Thread.currentThread().getName() + " (depth " + r.depth() + ") would wait for itself");
        }
        boolean wasOnline = r.online(); // QSBR: a registered caller goes offline while it waits, as in synchronize()
        if (wasOnline) {
            r.threadOfflineUnchecked();
        }
        try {
            reclaimer.drain();
        } finally {
            if (wasOnline) {
                r.threadOnlineUnchecked();
            }
        }
    }

    /** Registers the current thread (idempotent). For QSBR this puts the thread online. */
    public void registerThread() {
        RcuReader r = reader();
        r.threadOnlineUnchecked();
    }

    /** Frees the current thread's slot (a no-op if it is not registered). Not inside a read section. */
    public void unregisterThread() {
        RcuReader r = existing();
        if (r == null) {
            return;
        }
        if (r.depth() > 0) {
            throw new IllegalStateException("unregisterThread() inside a read section of " + this + " (depth " + r.depth() + ")");
        }
        r.threadOfflineUnchecked();
        r.unregistered();
        Thread t = Thread.currentThread();
        long id = t.threadId();
        if (id < BY_THREAD_ID) {
            byThreadId[(int) id] = null; // else read() would find the unregistered handle
        }
        registry.unregister(r.slot(), t);
        readers.remove();
    }

    /** QSBR: announces that the current thread holds no RCU-protected reference. A no-op for other flavors. */
    public void quiescentState() {
        RcuReader r = existing();
        if (r != null) {
            r.quiescentStateUnchecked();
        } else if (flavor == Flavor.QSBR) {
            throw new IllegalStateException("quiescentState() on " + Thread.currentThread().getName()
                    + ", which is not registered with " + this + ": call registerThread() first");
        }
    }

    /** QSBR: the current thread stops reading (before it blocks); grace periods stop waiting for it. */
    public void threadOffline() {
        RcuReader r = existing();
        if (r != null) {
            r.threadOfflineUnchecked();
        }
    }

    /** QSBR: the current thread reads again (registers it if needed). A no-op for other flavors. */
    public void threadOnline() {
        if (flavor == Flavor.QSBR) {
            reader().threadOnlineUnchecked();
        }
    }

    public Flavor flavor() {
        return flavor;
    }

    /** True if the current thread is inside a read section (for QSBR also: registered and online). */
    public boolean inReadSection() {
        RcuReader r = existing();
        return r != null && r.inReadSection();
    }

    /** Replaces the handler told about callbacks that throw. */
    public void onCallbackFailure(Consumer<Throwable> handler) {
        reclaimer.failureHandler(Validate.notNull(handler, "handler"));
    }

    /** Number of callbacks that threw. */
    public long callbackFailures() {
        return reclaimer.failures();
    }

    /** Callbacks accepted by {@link #callRcu} that have not run yet (0 after {@link #drain()} with no callRcu beside it). */
    public long pendingCallbacks() {
        return reclaimer.pending();
    }

    /** Number of grace periods completed. */
    public long gracePeriods() {
        return gracePeriod.completed();
    }

    /** The domain's writer side, which identifies it to its readers (see {@link RcuReader#heldIn}). */
    GracePeriod writerSide() {
        return gracePeriod;
    }

    /**
     * The off-heap reader table (layout: {@link RcuReaderTableDescriptor}), for C readers that join: it holds
     * GP_CTR and C readers' slots only (Java readers' words are on the heap). GC-managed: it stays mapped
     * while the domain or a Java reader of it is reachable; after {@link #close()} its GP_CTR reads 0.
     */
    public MemorySegment readerTable() {
        return table.segment;
    }

    /**
     * Drains, stops the reclaimer, waits for open sections and closes the reader table to readers (a later
     * section on any thread throws IllegalStateException). Idempotent.
     */
    @Override
    public void close() {
        if (isGlobal) {
            throw new IllegalStateException("Rcu.global() is process-wide and is never closed");
        }
        if (reclaimer.isReclaimerThread()) {
            throw new IllegalStateException("close() of " + this + " from one of its own callbacks");
        }
        RcuReader own = existing();
        if (own != null && own.depth() > 0) {
            throw new IllegalStateException("close() of " + this + " inside one of its read sections");
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        reclaimer.close(); // from here callRcu() is refused; every callback it accepted is counted
        if (own != null) {
            own.threadOfflineUnchecked(); // QSBR: the caller must not hold the last grace period open itself
        }
        reclaimer.drain();
        reclaimer.stop();
        unregisterThread();
        gracePeriod.synchronize(); // sections still open end before readers are refused
        table.closeForReaders();
    }

    private RcuReader register(Thread thread) {
        checkOpen("registering a reader");
        RcuReader r = registry.registrationOf(thread);     // its thread-local was erased: same slot, same state
        if (r == null) {
            r = RcuReader.create(flavor, gracePeriod, table.gpMirror(), registry.register(thread), thread);
            registry.attach(r.slot(), r);
        }
        readers.set(r);
        return r;
    }

    /** Reader slots held by Java threads (live, or dead and not yet reaped). */
    int registeredJavaSlots() {
        return registry.javaSlots();
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException(what + " on closed RCU domain " + this);
        }
    }

    @Override
    public String toString() {
        return "Rcu[" + name + "]";
    }
}
