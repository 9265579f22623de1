package org.guestmem.nativeshim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Loads {@code libguestmem.so} once, before any class of {@code org.guestmem.bindings} initialises
 * (their symbol lookup is the class loader's, which {@link System#load} fills). Only C peers need it
 * (C readers, the litmus harness); the library {@code org.guestmem} itself calls libc directly.
 *
 * <p>Where the library comes from, first match wins:
 * <ol>
 * <li>the system property {@code guestmem.native.lib} (a path; the build and the {@code guestmem}
 *     launcher set it), then the environment variable {@code GUESTMEM_NATIVE_LIB};</li>
 * <li>the copy inside this jar, {@value #RESOURCE_DIR}{@code linux-<arch>/libguestmem.so}, extracted once
 *     to a per-user cache, {@code <cache>/<first 16 hex digits of its SHA-256>/libguestmem.so}, and reused
 *     while the hash matches (written to a temporary name and renamed, so concurrent JVMs never load a
 *     half-written file). The cache is {@code -Dguestmem.native.workdir} if set, else
 *     {@code $XDG_CACHE_HOME/guestmem} or {@code ~/.cache/guestmem}, else {@code java.io.tmpdir/guestmem-<user>};</li>
 * <li>{@code System.loadLibrary("guestmem")} on {@code java.library.path}.</li>
 * </ol>
 *
 * <p>{@code System.load} and FFM downcalls are restricted methods. When the JVM denies them, the error
 * names the flag that fixes it: {@code --enable-native-access=org.guestmem.nativeshim} on the module
 * path, {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
public final class NativeShim {
    /** Where the bundled copies live inside the jar (one folder per platform). */
    public static final String RESOURCE_DIR = "/META-INF/native/org.guestmem/";
    /** The exact JVM flag that grants this jar native access, for how it was loaded (module or class path). */
    public static final String NATIVE_ACCESS_FLAG = "--enable-native-access="
            + (NativeShim.class.getModule().isNamed() ? NativeShim.class.getModule().getName() : "ALL-UNNAMED");

    private static final String LOADED_FROM = load();

    private NativeShim() {}

    /** Makes sure the shim is loaded; cheap after the first call. Returns where it was loaded from. */
    public static String ensureLoaded() {
        return LOADED_FROM;
    }

    /** {@code linux-x86_64} or {@code linux-aarch64}: the folder of {@link #RESOURCE_DIR} this JVM uses. */
    public static String platform() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        arch = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).replace(" ", "") + "-" + arch;
    }

    private static String load() {
        Module self = NativeShim.class.getModule();
        if (!self.isNativeAccessEnabled()) {
            System.err.println("guestmem: native access is not enabled for "
                    + (self.isNamed() ? "module " + self.getName() : "the class path (unnamed module)")
                    + "; the JVM warns now and will refuse in a future release. Start java with " + NATIVE_ACCESS_FLAG + ".");
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
            String resource = RESOURCE_DIR + platform() + "/libguestmem.so";
            try (InputStream in = NativeShim.class.getResourceAsStream(resource)) {
                if (in != null) {
                    Path p = extract(in.readAllBytes(), cacheDir());
                    System.load(p.toString());
                    return p.toString();
                }
            }
            System.loadLibrary("guestmem");
            return System.mapLibraryName("guestmem") + " from java.library.path";
        } catch (IllegalCallerException e) {
            throw new IllegalStateException("guestmem needs native access to load libguestmem.so: start java with "
                    + NATIVE_ACCESS_FLAG + " (or add 'Enable-Native-Access: ALL-UNNAMED' to the jar manifest)", e);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("cannot load the guestmem native library (" + e.getMessage() + "); this jar carries "
                    + RESOURCE_DIR + "linux-x86_64 (and linux-aarch64 where built), not " + platform()
                    + ": set -Dguestmem.native.lib=<path to libguestmem.so> or build it with ./mvnw package", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract the bundled libguestmem.so (" + e + "); set -Dguestmem.native.workdir="
                    + "<a writable, executable folder> or -Dguestmem.native.lib=<path to libguestmem.so>", e);
        }
    }

    /**
     * Writes {@code bytes} to {@code <dir>/<hash prefix>/libguestmem.so} unless a file with the same hash is
     * already there, and returns its path. Safe against other JVMs doing the same at once: each writes a
     * temporary file and renames it into place.
     */
    static Path extract(byte[] bytes, Path dir) throws IOException {
        String hash = sha256(bytes);
        Path folder = dir.resolve(hash.substring(0, 16));
        Path lib = folder.resolve("libguestmem.so");
        if (Files.isRegularFile(lib) && sha256(Files.readAllBytes(lib)).equals(hash)) {
            return lib;
        }
        Files.createDirectories(folder);
        Path tmp = Files.createTempFile(folder, ".libguestmem-", ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return lib;
    }

    /** The per-user cache folder (see the class comment). */
    static Path cacheDir() {
        String work = System.getProperty("guestmem.native.workdir");
        if (work != null && !work.isBlank()) {
            return Path.of(work);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path home = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home", ""), ".cache");
        Path dir = home.resolve("guestmem");
        try {
            Files.createDirectories(dir);
            if (Files.isWritable(dir)) {
                return dir;
            }
        } catch (IOException | SecurityException e) {
            // fall through to the temporary folder
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "guestmem-" + System.getProperty("user.name", "user"));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
