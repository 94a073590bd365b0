package io.sonde.internal.node.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The memory of one process, from {@code /proc/PID/statm}: resident pages ({@code RES} in top) and
 * the resident pages it shares with other processes ({@code SHR}: mapped files, the JVM's class
 * data archive, shared libraries). {@link #owned} (RES − SHR) is what the process itself costs
 * the node, and what the monitor adds up and ranks processes by.
 *
 * @param pid    the process
 * @param rss    resident bytes
 * @param shared resident bytes shared with others
 */
public record ProcessMemory(long pid, long rss, long shared) {
    /** The page size of Linux on the architectures Sonde runs on (x86-64, aarch64 with 4 KiB pages). */
    private static final long PAGE = 4096;

    /** RES − SHR: the memory only this process holds. */
    public long owned() {
        return Math.max(0, rss - shared);
    }

    /** The process's memory now; empty when it has exited or /proc cannot be read. */
    public static Optional<ProcessMemory> read(long pid) {
        return read(Path.of("/proc"), pid);
    }

    static Optional<ProcessMemory> read(Path proc, long pid) {
        try {
            return Optional.of(parseStatm(pid, Files.readString(proc.resolve(Long.toString(pid)).resolve("statm"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code size resident shared text lib data dt}, in pages. */
    static ProcessMemory parseStatm(long pid, String statm) {
        String[] f = statm.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("statm has " + f.length + " fields, expected 7: " + statm);
        }
        return new ProcessMemory(pid, Long.parseLong(f[1]) * PAGE, Long.parseLong(f[2]) * PAGE);
    }

    /** Resident bytes of {@code pid}, or 0 when it cannot be read. */
    public static long rssOf(long pid) {
        return read(pid).map(ProcessMemory::rss).orElse(0L);
    }
}
