package org.guestmem.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Counts, from /proc/self, what a piece of code owns in this process: mappings by name, the resident memory
 * inside given address ranges, fds by target, OS threads by name. Unlike the process RSS (JIT code, GC
 * tables, malloc arenas, other tests' threads), each count moves only with what the code under test does.
 */
public final class ProcSelf {
    private ProcSelf() {}

    /** Lines of /proc/self/maps whose path contains {@code name} (a memfd shows as {@code /memfd:NAME (deleted)}). */
    public static long mappingsNamed(String name) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains(name)).count();
        }
    }

    /** Lines of /proc/self/maps. */
    public static long mappings() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.count();
        }
    }

    /**
     * Resident KiB inside {@code [start, start + length)}: the pages /proc/self/pagemap marks present or
     * swapped (bits 63 and 62 of each page's entry; a process may read its own), so exact whatever the
     * kernel merged the mapping with. An unmapped page counts as not resident.
     */
    public static long residentKiB(long start, long length) throws IOException {
        long page = 4096, first = start / page, pages = (start + length + page - 1) / page - first, present = 0;
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(8 * 4096).order(ByteOrder.nativeOrder());
            for (long done = 0; done < pages;) {
                buf.clear().limit((int) Math.min(buf.capacity(), (pages - done) * 8));
                int n = pagemap.read(buf, (first + done) * 8);
                if (n <= 0) {
                    break;
                }
                for (int k = 0; k + 8 <= n; k += 8) {
                    present += (buf.getLong(k) & (3L << 62)) != 0 ? 1 : 0;
                }
                done += n / 8;
            }
        }
        return present * page / 1024;
    }

    /** Open fds whose link target contains {@code target} (a memfd links to {@code /memfd:NAME (deleted)}). */
    public static long fdsTo(String target) throws IOException {
        long n = 0;
        for (Path fd : list(Path.of("/proc/self/fd"))) {
            try {
                n += Files.readSymbolicLink(fd).toString().contains(target) ? 1 : 0;
            } catch (IOException closedMeanwhile) {
                // the fd went away between the listing and the read (the listing's own fd among them)
            }
        }
        return n;
    }

    /** Open fds. */
    public static long fds() throws IOException {
        return list(Path.of("/proc/self/fd")).size();
    }

    /** OS threads of this process whose name ({@code /proc/self/task/N/comm}) starts with {@code prefix}. */
    public static long tasksNamed(String prefix) throws IOException {
        long n = 0;
        for (Path task : list(Path.of("/proc/self/task"))) {
            try {
                n += Files.readString(task.resolve("comm")).startsWith(prefix) ? 1 : 0;
            } catch (IOException exited) {
                // the thread ended between the listing and the read
            }
        }
        return n;
    }

    /** OS threads of this process (JVM threads included). */
    public static long tasks() throws IOException {
        return list(Path.of("/proc/self/task")).size();
    }

    /** Live Java threads whose name starts with {@code prefix}. */
    public static long javaThreadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** The process's resident set, KiB. */
    public static long rssKiB() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
