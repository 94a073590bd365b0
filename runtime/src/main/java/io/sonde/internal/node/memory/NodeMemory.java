package io.sonde.internal.node.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a node's memory use and capacity come from, in this order:
 * <pre>
 *   started with --memory BYTES ─────▶ BUDGET: capacity BYTES, use = the sum of its workers' RES − SHR
 *   in a cgroup with a limit ────────▶ CGROUP: v2 memory.max / memory.current, v1 memory.limit_in_bytes /
 *                                              memory.usage_in_bytes
 *   otherwise ───────────────────────▶ MACHINE: /proc/meminfo MemTotal, use = MemTotal − MemAvailable
 * </pre>
 * A budget counts the workers only: the node manager and drivers are the user's own JVM when the
 * cluster is embedded, and the monitor never kills them anyway.
 */
public abstract sealed class NodeMemory {
    /** v1's "no limit" is a huge number (a page-rounded 2^63 − 1); anything above this is none. */
    private static final long V1_NO_LIMIT = 1L << 60;

    /** How the node reads its memory, for messages: "a budget of 1.0 GiB (--memory)", "cgroup v2", ... */
    public abstract String source();

    /** The node's capacity in bytes. */
    public abstract long total();

    /** The least heap ceiling a worker gets, however small its node. */
    static final long MIN_WORKER_HEAP = 64L << 20;

    /**
     * The {@code -Xmx} of the node's workers: the node's kill threshold of its capacity (at least
     * 64 MiB). A worker alone may grow to what its node allows; that the sum of them stays within
     * the node is the memory monitor's to keep, not each JVM's default ceiling of a quarter of the
     * machine, which knows neither a budget nor the other workers. A job's own {@code -Xmx} wins.
     */
    public long workerHeapCeiling(double threshold) {
        return Math.max(MIN_WORKER_HEAP, (long) (total() * threshold));
    }

    /** The bytes in use now; {@code workersOwned} is the sum of the workers' RES − SHR. */
    public abstract long used(long workersOwned);

    /**
     * As {@link #used(long)}, with the bytes the node's object store holds in shared memory. A
     * cgroup or the machine counts those pages already; a budget adds them.
     */
    public long used(long workersOwned, long objectStore) {
        return used(workersOwned);
    }

    /**
     * The node's memory: a budget when {@code budget} is positive, else its cgroup's limit, else the
     * machine's.
     */
    public static NodeMemory detect(long budget) {
        if (budget > 0) {
            return new Budget(budget);
        }
        return cgroup(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"))
                .orElseGet(() -> new Machine(Path.of("/proc/meminfo")));
    }

    /** The cgroup this process is in, when it has a memory limit; v2 first, then v1. */
    static Optional<NodeMemory> cgroup(Path root, Path selfCgroup) {
        String v2Path = "";
        String v1Path = "";
        try {
            for (String line : Files.readAllLines(selfCgroup)) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && f[0].equals("0") && f[1].isEmpty()) {
                    v2Path = f[2];
                } else if (f.length == 3 && java.util.Arrays.asList(f[1].split(",")).contains("memory")) {
                    v1Path = f[2];
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup file: try the root of the hierarchy
        }
        for (Path dir : new Path[] {root.resolve(strip(v2Path)), root}) {
            Optional<Long> max = readLong(dir.resolve("memory.max"));
            if (max.isPresent() && Files.isReadable(dir.resolve("memory.current"))) {
                return Optional.of(new Cgroup("cgroup v2 (" + dir.resolve("memory.max") + ")", max.get(),
                        dir.resolve("memory.current")));
            }
        }
        for (Path dir : new Path[] {root.resolve("memory").resolve(strip(v1Path)), root.resolve("memory")}) {
            Optional<Long> limit = readLong(dir.resolve("memory.limit_in_bytes"));
            if (limit.isPresent() && limit.get() < V1_NO_LIMIT && Files.isReadable(dir.resolve("memory.usage_in_bytes"))) {
                return Optional.of(new Cgroup("cgroup v1 (" + dir.resolve("memory.limit_in_bytes") + ")", limit.get(),
                        dir.resolve("memory.usage_in_bytes")));
            }
        }
        return Optional.empty();
    }

    private static String strip(String cgroupPath) {
        return cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
    }

    /** A file holding one number; empty for "max", a missing file or anything else. */
    private static Optional<Long> readLong(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code --memory BYTES}: the node's capacity is the budget; its use, its workers'. */
    static final class Budget extends NodeMemory {
        private final long bytes;

        Budget(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public String source() {
            return "its budget of " + Bytes.human(bytes) + " (--memory), against the sum of its workers' RES - SHR"
                    + " and its object store's shared memory";
        }

        @Override
        public long total() {
            return bytes;
        }

        @Override
        public long used(long workersOwned) {
            return workersOwned;
        }

        @Override
        public long used(long workersOwned, long objectStore) {
            return workersOwned + objectStore;
        }
    }

    /** The node's cgroup: its limit, and what the kernel charges to it. */
    static final class Cgroup extends NodeMemory {
        private final String source;
        private final long limit;
        private final Path usage;

        Cgroup(String source, long limit, Path usage) {
            this.source = source;
            this.limit = limit;
            this.usage = usage;
        }

        @Override
        public String source() {
            return source;
        }

        @Override
        public long total() {
            return limit;
        }

        @Override
        public long used(long workersOwned) {
            return readLong(usage).orElse(workersOwned);
        }
    }

    /** The whole machine, from /proc/meminfo. */
    static final class Machine extends NodeMemory {
        private final Path meminfo;
        private final long total;

        Machine(Path meminfo) {
            this.meminfo = meminfo;
            this.total = field(meminfo, "MemTotal").orElseGet(Machine::jvmView);
        }

        private static long jvmView() {
            java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            return os instanceof com.sun.management.OperatingSystemMXBean m ? m.getTotalMemorySize() : Runtime.getRuntime().maxMemory();
        }

        @Override
        public String source() {
            return "the machine's memory (/proc/meminfo: MemTotal - MemAvailable)";
        }

        @Override
        public long total() {
            return total;
        }

        @Override
        public long used(long workersOwned) {
            return field(meminfo, "MemAvailable").map(a -> Math.max(0, total - a)).orElse(workersOwned);
        }

        /** A field of /proc/meminfo, in bytes. */
        static Optional<Long> field(Path meminfo, String name) {
            try {
                for (String line : Files.readAllLines(meminfo)) {
                    if (line.startsWith(name + ":")) {
                        String[] f = line.substring(name.length() + 1).trim().split("\\s+");
                        long v = Long.parseLong(f[0]);
                        return Optional.of(f.length > 1 && f[1].equalsIgnoreCase("kB") ? v * 1024 : v);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: empty
            }
            return Optional.empty();
        }
    }
}
