package org.guestmem.nativeshim;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads {@code libguestmem.so} once, before any class of {@code org.guestmem.bindings} initialises
 * (their symbol lookup is the class loader's, which {@link System#load} fills).
 *
 * <p>Where the library comes from, first match wins: the system property {@code guestmem.native.lib}
 * (a path, set by the build and by the {@code guestmem} launcher), the environment variable
 * {@code GUESTMEM_NATIVE_LIB}, then {@code System.loadLibrary("guestmem")} on {@code java.library.path}.
 *
 * <p>FFM downcalls and {@code MemorySegment.reinterpret} are restricted methods. When the JVM denies
 * them, the error names the flag that fixes it: {@code --enable-native-access=ALL-UNNAMED} on the
 * class path (or {@code Enable-Native-Access: ALL-UNNAMED} in an executable jar's manifest).
 */
public final class NativeShim {
    /** The exact JVM flag that grants this library native access on the class path. */
    public static final String NATIVE_ACCESS_FLAG = "--enable-native-access=ALL-UNNAMED";

    private static final String LOADED_FROM = load();

    private NativeShim() {}

    /** Makes sure the shim is loaded; cheap after the first call. Returns where it was loaded from. */
    public static String ensureLoaded() {
        return LOADED_FROM;
    }

    private static String load() {
        Module self = NativeShim.class.getModule();
        if (!self.isNativeAccessEnabled()) {
            System.err.println("guestmem: native access is not enabled for " + describe(self)
                    + "; the JVM warns or refuses. Start java with " + NATIVE_ACCESS_FLAG + ".");
        }
        String path = System.getProperty("guestmem.native.lib", System.getenv("GUESTMEM_NATIVE_LIB"));
        try {
            if (path != null && !path.isBlank()) {
                Path p = Path.of(path).toAbsolutePath();
                if (!Files.isRegularFile(p)) {
                    throw new IllegalStateException("guestmem native library not found at " + p
                            + " (from guestmem.native.lib / GUESTMEM_NATIVE_LIB); build it with ./mvnw package");
                }
                System.load(p.toString());
                return p.toString();
            }
            System.loadLibrary("guestmem");
            return System.mapLibraryName("guestmem") + " from java.library.path";
        } catch (IllegalCallerException e) {
            throw new IllegalStateException("guestmem needs native access to load libguestmem.so: start java with "
                    + NATIVE_ACCESS_FLAG + " (or add 'Enable-Native-Access: ALL-UNNAMED' to the jar manifest)", e);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("cannot load the guestmem native library (" + e.getMessage()
                    + "); set -Dguestmem.native.lib=<path to libguestmem.so> or build it with ./mvnw package", e);
        }
    }

    private static String describe(Module m) {
        return m.isNamed() ? "module " + m.getName() : "the class path (unnamed module)";
    }
}
