package org.guestmem.rcu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.guestmem.host.Membarrier;

/**
 * The admission checks of the MEMBARRIER flavor: the kernel must offer private expedited membarrier(2)
 * (a libc syscall through FFM), and the JIT must be HotSpot's own C1/C2, whose treatment of
 * {@code VarHandle} fences {@link RcuFences#readerCompilerOnly()} relies on.
 */
final class MembarrierSupport {
    /** System property that accepts a JIT other than HotSpot's C1/C2 (at the caller's risk). */
    static final String ANY_JIT_PROPERTY = "guestmem.rcu.membarrier.anyJit";

    private MembarrierSupport() {}

    /** Null if MEMBARRIER can be used here, else why not. */
    static String problem() {
        String jit = jitProblem();
        if (jit != null) {
            return jit;
        }
        try {
            if (!Membarrier.available()) {
                return Membarrier.status();
            }
            Membarrier.register();
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        } catch (LinkageError e) { // the libc downcalls could not be linked (ExceptionInInitializerError, NoClassDefFoundError)
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return "membarrier(2) cannot be called: " + cause.getMessage();
        }
    }

    /** Throws IllegalStateException naming the reason when MEMBARRIER cannot be used. */
    static void require() {
        String problem = problem();
        if (problem != null) {
            throw new IllegalStateException("Rcu flavor MEMBARRIER is not available: " + problem
                    + ". Use Flavor.FENCE (portable) or Flavor.QSBR.");
        }
    }

    private static String jitProblem() {
        if (Boolean.getBoolean(ANY_JIT_PROPERTY)) {
            return null;
        }
        String vm = System.getProperty("java.vm.name", "");
        if (!vm.contains("HotSpot") && !vm.contains("OpenJDK")) {
            return "the JVM is '" + vm + "', not HotSpot; MEMBARRIER relies on how HotSpot's JIT compiles fences"
                    + " (set -D" + ANY_JIT_PROPERTY + "=true to accept the risk)";
        }
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hs != null && "true".equals(hs.getVMOption("UseJVMCICompiler").getValue())) {
                return "the JIT is a JVMCI compiler (-XX:+UseJVMCICompiler), not C2; MEMBARRIER relies on how"
                        + " C1/C2 compile fences (set -D" + ANY_JIT_PROPERTY + "=true to accept the risk)";
            }
        } catch (IllegalArgumentException e) {
            // no JVMCI in this VM: C1/C2 it is
        }
        return null;
    }
}
