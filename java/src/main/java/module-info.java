/**
 * guestmem: a virtual machine's guest RAM in Java. {@code org.guestmem.ram} owns the blocks
 * ({@code RamList}, {@code GuestMemory}), {@code org.guestmem.rcu} protects them, {@code org.guestmem.dirty}
 * tracks dirty pages, {@code org.guestmem.migration} saves, loads and live-migrates them in QEMU's stream
 * format, {@code org.guestmem.host} maps host memory.
 *
 * <p>The module calls libc itself (mmap, munmap, madvise, memfd_create, membarrier) through FFM, so it needs
 * native access and no native library: start java with {@code --enable-native-access=org.guestmem} on the
 * module path, {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
module org.guestmem {
    requires org.apache.commons.lang3;
    requires jdk.management;   // HotSpotDiagnosticMXBean: which JIT runs, for the MEMBARRIER flavor's admission check

    exports org.guestmem.rcu;
    exports org.guestmem.ram;
    exports org.guestmem.dirty;
    exports org.guestmem.migration;
    exports org.guestmem.host;
    // The libc layer: errno names for the shim's typed face, nothing else.
    exports org.guestmem.os to org.guestmem.nativeshim;
}
