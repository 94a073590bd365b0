package io.sonde.profiler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The short text summary of a profile, read from async-profiler's collapsed stacks
 * ({@code frame;frame;...;leaf count} per line): the top frames for time events, the top
 * allocation sites by bytes and by objects for allocation events, as memray's summary shows
 * them. Stateless.
 *
 * <h2>What the allocation figures are</h2>
 * async-profiler samples allocations, about one every {@code --interval} bytes (by default
 * 512 KiB): "objects" counts the sampled objects and "bytes" adds up their sizes, so both are a
 * sample of what was allocated, in its proportions (a smaller interval samples more). In a collapsed stack of an
 * allocation the leaf is the allocated class ({@code byte[]_[i]}: in a TLAB, {@code _[k]}: outside
 * one) and the frame under it the allocating method: the site.
 */
public final class ProfileSummary {
    /** Rows of each table. */
    public static final int TOP = 10;

    private ProfileSummary() {
    }

    /**
     * The top frames of a time profile: by self samples (where the time is spent), each with its
     * total (itself and its callees).
     *
     * @param event   the event's name as recorded ({@code cpu}, {@code ctimer}, {@code wall}, {@code lock})
     * @param samples collapsed stacks, counted in samples
     */
    public static String frames(String event, String samples) {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        long all = 0;
        for (Stack s : parse(samples)) {
            all += s.count;
            self.merge(s.frames.get(s.frames.size() - 1), s.count, Long::sum);
            Set<String> seen = new HashSet<>();
            for (String f : s.frames) {
                if (seen.add(f)) { // a recursive frame counts once per stack
                    total.merge(f, s.count, Long::sum);
                }
            }
        }
        StringBuilder b = new StringBuilder();
        if (all == 0) {
            return b.append("No samples (").append(event).append("): the process ran nothing that ").append(event)
                    .append(" records during the profile. Profile longer, or while it works.\n").toString();
        }
        b.append("Top frames (").append(event).append(", ").append(count(all)).append(" samples):\n");
        b.append(String.format(Locale.ROOT, "  %6s  %6s  %8s  %s%n", "self", "total", "samples", "frame"));
        for (Map.Entry<String, Long> e : top(self)) {
            b.append(String.format(Locale.ROOT, "  %5.1f%%  %5.1f%%  %8s  %s%n", 100.0 * e.getValue() / all,
                    100.0 * total.get(e.getKey()) / all, count(e.getValue()), e.getKey()));
        }
        // where the time is spent is often a JDK or native leaf (a CRC's intrinsic, a socket read):
        // the program's own methods that lead there are the hottest by total
        Map<String, Long> methods = new HashMap<>();
        total.forEach((frame, n) -> {
            if (programMethod(frame)) {
                methods.put(frame, n);
            }
        });
        if (!methods.isEmpty()) {
            b.append("Top methods of the program, with their callees:\n");
            b.append(String.format(Locale.ROOT, "  %6s  %8s  %s%n", "total", "samples", "method"));
            for (Map.Entry<String, Long> e : top(methods).subList(0, Math.min(TOP_METHODS, methods.size()))) {
                b.append(String.format(Locale.ROOT, "  %5.1f%%  %8s  %s%n", 100.0 * e.getValue() / all,
                        count(e.getValue()), e.getKey()));
            }
        }
        return b.toString();
    }

    /** {@code pkg.Class.method}: identifiers joined by dots (native frames have {@code ::}, {@code @@}, {@code .part.0}...). */
    private static final java.util.regex.Pattern JAVA_FRAME =
            java.util.regex.Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)+");

    /** Rows of the table of the program's methods. */
    static final int TOP_METHODS = 5;

    /**
     * A Java method of the program: not native ({@code ::}, no package), not the JDK's, not
     * Sonde's (the task executor at the bottom of every task's stack), not a lambda's generated class.
     */
    static boolean programMethod(String frame) {
        if (!JAVA_FRAME.matcher(frame).matches() || frame.contains("$$Lambda")
                || frame.startsWith("java.") || frame.startsWith("jdk.") || frame.startsWith("sun.")
                || frame.startsWith("com.sun.") || frame.startsWith("io.grpc.") || frame.startsWith("com.google.")) {
            return false;
        }
        for (String p : io.sonde.spi.RuntimeFrames.PATTERNS) {
            if (p.endsWith("*") ? frame.startsWith(p.substring(0, p.length() - 1)) : frame.startsWith(p + ".")) {
                return false;
            }
        }
        return !frame.startsWith("io.sonde.profiler.") && !frame.startsWith("io.sonde.debugger.");
    }

    /**
     * The top allocation sites of an allocation profile, by bytes and by objects.
     *
     * @param event   {@code alloc} or {@code nativemem}, with {@code live} if only live ones were kept
     * @param samples collapsed stacks counted in samples
     * @param bytes   the same stacks counted in bytes ({@code collapsed,total})
     */
    public static String sites(String event, String samples, String bytes) {
        Map<Site, Long> bySamples = bySite(samples);
        Map<Site, Long> byBytes = bySite(bytes);
        long allSamples = bySamples.values().stream().mapToLong(Long::longValue).sum();
        long allBytes = byBytes.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder b = new StringBuilder();
        if (allSamples == 0) {
            return b.append("No allocations sampled (").append(event).append("): the process allocated less than one")
                    .append(" sampling interval during the profile. Profile longer, or give a smaller --interval.\n")
                    .toString();
        }
        b.append("Top allocation sites by bytes (").append(event).append(", ").append(bytes(allBytes)).append(" in ")
                .append(count(allSamples)).append(" samples):\n");
        table(b, top(byBytes), byBytes, bySamples, allBytes, true);
        b.append("Top allocation sites by objects (sampled):\n");
        table(b, top(bySamples), byBytes, bySamples, allSamples, false);
        return b.toString();
    }

    /** Rows of each list a live-allocation profile keeps for {@code sonde memory --by-name}. */
    public static final int LIVE_TOP = 50;

    /**
     * What a live-allocation profile found still alive, by allocating method and by allocated
     * class, the top {@value #LIVE_TOP} of each, with how many more there are.
     *
     * @param bytes  collapsed stacks counted in bytes ({@code collapsed,total})
     * @param source what recorded the profile, as {@code sonde memory --by-name} names it
     */
    public static io.sonde.profiler.proto.LiveAllocations live(String bytes, String source, long atMillis) {
        Map<String, Long> methods = new HashMap<>();
        Map<String, Long> classes = new HashMap<>();
        long all = 0;
        for (Map.Entry<Site, Long> e : bySite(bytes).entrySet()) {
            methods.merge(e.getKey().method, e.getValue(), Long::sum);
            classes.merge(e.getKey().type, e.getValue(), Long::sum);
            all += e.getValue();
        }
        io.sonde.profiler.proto.LiveAllocations.Builder b = io.sonde.profiler.proto.LiveAllocations.newBuilder()
                .setAtMs(atMillis).setSource(source).setTotalBytes(all)
                .setMoreMethods(Math.max(0, methods.size() - LIVE_TOP)).setMoreClasses(Math.max(0, classes.size() - LIVE_TOP));
        largest(methods).forEach(e -> b.addMethods(amount(e)));
        largest(classes).forEach(e -> b.addClasses(amount(e)));
        return b.build();
    }

    private static List<Map.Entry<String, Long>> largest(Map<String, Long> m) {
        return m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey())).limit(LIVE_TOP).toList();
    }

    private static io.sonde.profiler.proto.Amount amount(Map.Entry<String, Long> e) {
        return io.sonde.profiler.proto.Amount.newBuilder().setName(e.getKey()).setBytes(e.getValue()).build();
    }

    /**
     * The sampled sites of an allocation profile as numbers, for a leak report: the top sites, the
     * top methods (whatever they allocated) and the top classes (wherever allocated), each by bytes.
     *
     * @param samples collapsed stacks counted in samples
     * @param bytes   the same stacks counted in bytes
     */
    public static io.sonde.profiler.proto.AllocationSites allocationSites(String samples, String bytes) {
        Map<Site, Long> bySamples = bySite(samples);
        Map<Site, Long> byBytes = bySite(bytes);
        Map<Site, Long> methodBytes = new HashMap<>();
        Map<Site, Long> methodObjects = new HashMap<>();
        Map<Site, Long> classBytes = new HashMap<>();
        Map<Site, Long> classObjects = new HashMap<>();
        for (Site s : byBytes.keySet()) {
            long b = byBytes.get(s);
            long n = bySamples.getOrDefault(s, 0L);
            methodBytes.merge(new Site(s.method, ""), b, Long::sum);
            methodObjects.merge(new Site(s.method, ""), n, Long::sum);
            classBytes.merge(new Site("", s.type), b, Long::sum);
            classObjects.merge(new Site("", s.type), n, Long::sum);
        }
        io.sonde.profiler.proto.AllocationSites.Builder out = io.sonde.profiler.proto.AllocationSites.newBuilder()
                .setBytes(byBytes.values().stream().mapToLong(Long::longValue).sum())
                .setObjects(bySamples.values().stream().mapToLong(Long::longValue).sum());
        top(byBytes).forEach(e -> out.addBySite(row(e.getKey(), e.getValue(), bySamples)));
        top(methodBytes).forEach(e -> out.addByMethod(row(e.getKey(), e.getValue(), methodObjects)));
        top(classBytes).forEach(e -> out.addByClass(row(e.getKey(), e.getValue(), classObjects)));
        return out.build();
    }

    private static io.sonde.profiler.proto.AllocationSite row(Site s, long bytes, Map<Site, Long> objects) {
        return io.sonde.profiler.proto.AllocationSite.newBuilder().setMethod(s.method).setType(s.type).setBytes(bytes)
                .setObjects(objects.getOrDefault(s, 0L)).build();
    }

    private static void table(StringBuilder b, List<Map.Entry<Site, Long>> rows, Map<Site, Long> byBytes,
                              Map<Site, Long> bySamples, long all, boolean byteShare) {
        b.append(String.format(Locale.ROOT, "  %10s  %6s  %8s  %s%n", "bytes", "share", "objects", "site (class)"));
        for (Map.Entry<Site, Long> e : rows) {
            long by = byBytes.getOrDefault(e.getKey(), 0L);
            long n = bySamples.getOrDefault(e.getKey(), 0L);
            b.append(String.format(Locale.ROOT, "  %10s  %5.1f%%  %8s  %s (%s)%n", bytes(by),
                    100.0 * (byteShare ? by : n) / all, count(n), e.getKey().method, e.getKey().type));
        }
    }

    /** An allocating method and what it allocated. */
    private record Site(String method, String type) {
    }

    /**
     * The frames of native memory allocators: in a {@code nativemem} stack the leaf is
     * async-profiler's hook, under the allocator the program called; the site is the frame that
     * called the allocator.
     */
    private static final Set<String> ALLOCATORS = Set.of("malloc", "calloc", "realloc", "free", "posix_memalign",
            "aligned_alloc", "memalign", "mmap", "os::malloc", "os::realloc", "AllocateHeap", "ReallocateHeap");

    private static boolean allocator(String frame) {
        return frame.endsWith("_hook") || ALLOCATORS.contains(frame);
    }

    private static Map<Site, Long> bySite(String collapsed) {
        Map<Site, Long> sites = new LinkedHashMap<>();
        for (Stack s : parse(collapsed)) {
            int i = s.frames.size() - 1;
            String type = s.frames.get(i).replaceAll("_\\[[ik]]$", "");
            while (i > 0 && allocator(s.frames.get(i - 1))) { // nativemem: up to the allocator the program called
                type = s.frames.get(--i);
            }
            String method = i > 0 ? s.frames.get(i - 1) : "(unknown)";
            sites.merge(new Site(method, type), s.count, Long::sum);
        }
        return sites;
    }

    private record Stack(List<String> frames, long count) {
    }

    private static List<Stack> parse(String collapsed) {
        List<Stack> stacks = new ArrayList<>();
        for (String line : collapsed.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            long count;
            try {
                count = Long.parseLong(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue; // not a stack line (async-profiler's notes)
            }
            stacks.add(new Stack(List.of(line.substring(0, space).split(";")), count));
        }
        return stacks;
    }

    private static <K> List<Map.Entry<K, Long>> top(Map<K, Long> m) {
        return m.entrySet().stream().sorted(Map.Entry.<K, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(TOP).toList();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 71.2 MB}, {@code 512 KB}, {@code 80 B}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        do {
            v /= 1024;
            u++;
        } while (v >= 1024 && u < units.length - 1);
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
