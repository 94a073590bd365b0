package io.sonde.internal.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The node's check of its file descriptor limit ({@code ulimit -n}) when it starts. Every worker
 * costs the node descriptors for as long as it lives: its gRPC connection, and the pipes of its
 * stdout and stderr. A workload that starts many actors runs the node out of them, and then every
 * accept, pipe and file open fails at once, far from the cause. So the node says at start, with
 * the fix, when its limit leaves room for fewer than {@value #ENOUGH_WORKERS} workers.
 *
 * <p>A JVM cannot raise its own limit (no setrlimit in Java); the shell that starts it can.
 */
public final class FdLimit {
    /** Descriptors the node holds per worker: the worker's connection, its stdout and stderr pipes, and one spare. */
    static final int PER_WORKER = 4;
    /** Fewer workers than this fit in the limit: a warning. */
    static final int ENOUGH_WORKERS = 1000;
    /** Descriptors kept for everything else the node opens later: drivers, CLI calls, logs, spill files. */
    static final int RESERVE = 256;

    private FdLimit() {
    }

    /**
     * The warning for this process, or empty when its limit is enough or cannot be read (not
     * Linux).
     */
    public static Optional<String> check() {
        try {
            long[] limits = parse(Files.readAllLines(Path.of("/proc/self/limits")));
            if (limits == null) {
                return Optional.empty();
            }
            long open;
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                open = fds.count();
            }
            return warning(limits[0], limits[1], open);
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** Soft and hard "Max open files" of a {@code /proc/PID/limits}; -1 for unlimited; null if absent. */
    static long[] parse(Iterable<String> limitsFile) {
        for (String line : limitsFile) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return new long[] {number(f[0]), number(f[1])};
            }
        }
        return null;
    }

    private static long number(String s) {
        return s.equals("unlimited") ? -1 : Long.parseLong(s);
    }

    /** The warning for a soft limit, a hard limit (-1: unlimited) and the descriptors open now; empty if enough. */
    static Optional<String> warning(long soft, long hard, long open) {
        if (soft < 0) {
            return Optional.empty();
        }
        long workers = Math.max(0, (soft - open - RESERVE) / PER_WORKER);
        if (workers >= ENOUGH_WORKERS) {
            return Optional.empty();
        }
        String hardNote = hard >= 0 && hard < 65536
                ? " Its hard limit (`ulimit -Hn`) is " + hard + ", too low for that: raise it for your user with"
                + " `sudo bash -c \"echo $USER hard nofile 65536 >> /etc/security/limits.conf\"`, then log out and in again."
                : " If that fails, check the hard limit with `ulimit -Hn`.";
        return Optional.of("the limit of open files (`ulimit -n`) is " + soft + ": with " + open + " open now, this node"
                + " can hold about " + workers + " workers (one per actor, and one per task running) before it runs out"
                + " of file descriptors, and then starting workers, accepting connections and opening files fail."
                + " Raise it in the shell that starts Sonde, for example `ulimit -n 65536`." + hardNote);
    }
}
