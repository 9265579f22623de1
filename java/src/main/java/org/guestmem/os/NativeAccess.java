package org.guestmem.os;

/**
 * The one place that knows which JVM flag grants this library native access, so that every refusal
 * ends in a one-line fix. FFM downcalls and {@code MemorySegment.reinterpret} are restricted methods:
 * on the module path the flag names the module ({@code --enable-native-access=org.guestmem}), on the
 * class path it is {@code --enable-native-access=ALL-UNNAMED}. JDK 25 warns without the flag; with
 * {@code --illegal-native-access=deny} (or a flag that lists other modules only) it refuses.
 */
public final class NativeAccess {
    private static final Module SELF = NativeAccess.class.getModule();
    private static volatile boolean warned;   // written and read by any thread; a repeated warning is harmless

    private NativeAccess() {}

    /** {@code --enable-native-access=org.guestmem} or {@code --enable-native-access=ALL-UNNAMED}, whichever fits how this library was loaded. */
    public static String flag() {
        return flagFor(SELF);
    }

    /** The flag that grants native access to {@code module}. */
    public static String flagFor(Module module) {
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /** Prints one line naming the flag, once per JVM, when native access is not enabled for {@code module}. */
    public static void warnIfDisabled(Module module) {
        if (!module.isNativeAccessEnabled() && !warned) {
            warned = true;
            System.err.println("guestmem: native access is not enabled for "
                    + (module.isNamed() ? "module " + module.getName() : "the class path (unnamed module)")
                    + "; the JVM warns now and will refuse in a future release. Start java with " + flagFor(module) + ".");
        }
    }

    /** The exception to throw when the JVM refused a restricted call: it names the flag. */
    public static IllegalStateException denied(IllegalCallerException e) {
        return new IllegalStateException("guestmem needs native access (mmap, madvise, membarrier through FFM): start java with "
                + flag() + " (an executable jar may say 'Enable-Native-Access: ALL-UNNAMED' in its manifest)", e);
    }
}
