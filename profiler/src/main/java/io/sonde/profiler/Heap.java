package io.sonde.profiler;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.sonde.profiler.proto.HeapRequest;
import io.sonde.profiler.proto.HeapResult;

import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This JVM's heap for {@code sonde memory --heap}: its class histogram (the JVM's
 * {@code GC.class_histogram}, after a full GC, so live objects only), or an HPROF dump that
 * Eclipse MAT and VisualVM open. Stateless.
 */
final class Heap {
    /** {@code    1:        1234      5678900  byte[] (java.base@17)}. */
    private static final Pattern ROW = Pattern.compile("\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*");

    private Heap() {
    }

    record ClassRow(String name, long count, long bytes) {
    }

    static HeapResult run(ProcessProfiler.Host host, HeapRequest r) {
        if (!r.getDumpPath().isEmpty()) {
            return dump(host, Path.of(r.getDumpPath()));
        }
        List<ClassRow> rows = histogram();
        int top = r.getTop() > 0 ? r.getTop() : 20;
        long bytes = rows.stream().mapToLong(ClassRow::bytes).sum();
        long count = rows.stream().mapToLong(ClassRow::count).sum();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Live objects of %s: %s in %,d objects of %,d classes.%n", host.describe(),
                ProfileSummary.bytes(bytes), count, rows.size()));
        b.append("Top classes by bytes:\n");
        table(b, rows.stream().sorted(Comparator.comparingLong(ClassRow::bytes).reversed()).limit(top).toList(), bytes);
        b.append("Top classes by count:\n");
        table(b, rows.stream().sorted(Comparator.comparingLong(ClassRow::count).reversed()).limit(top).toList(), bytes);
        return HeapResult.newBuilder().setWho(host.describe()).setText(b.toString()).build();
    }

    private static void table(StringBuilder b, List<ClassRow> rows, long all) {
        b.append(String.format(Locale.ROOT, "  %10s  %6s  %12s  %s%n", "bytes", "share", "objects", "class"));
        for (ClassRow c : rows) {
            b.append(String.format(Locale.ROOT, "  %10s  %5.1f%%  %,12d  %s%n", ProfileSummary.bytes(c.bytes()),
                    100.0 * c.bytes() / Math.max(1, all), c.count(), c.name()));
        }
    }

    /** The JVM's class histogram of live objects, as it lists it (by bytes). */
    static List<ClassRow> histogram() {
        String text;
        try {
            text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[]{new String[0]}, new String[]{String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("this JVM cannot list its classes (GC.class_histogram): " + e.getMessage(), e);
        }
        List<ClassRow> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.add(new ClassRow(javaName(m.group(3)), Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
        }
        return rows;
    }

    /** {@code byte[]} for the JVM's {@code [B}, {@code java.lang.String[][]} for {@code [[Ljava.lang.String;}. */
    static String javaName(String jvmName) {
        int dims = 0;
        while (dims < jvmName.length() && jvmName.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return jvmName;
        }
        String element = jvmName.substring(dims);
        String base = switch (element) {
            case "B" -> "byte";
            case "C" -> "char";
            case "S" -> "short";
            case "I" -> "int";
            case "J" -> "long";
            case "F" -> "float";
            case "D" -> "double";
            case "Z" -> "boolean";
            default -> element.startsWith("L") && element.endsWith(";") ? element.substring(1, element.length() - 1)
                    : element;
        };
        return base + "[]".repeat(dims);
    }

    /**
     * This JVM's heap now (the memory MXBean's used and committed, no GC asked for) and its
     * resident and shared memory ({@code /proc/self/statm}, 0 where there is none), for
     * {@code sonde memory --by-name}.
     */
    static io.sonde.profiler.proto.WorkerUsage usage() {
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        io.sonde.profiler.proto.WorkerUsage.Builder u = io.sonde.profiler.proto.WorkerUsage.newBuilder()
                .setPid(ProcessHandle.current().pid()).setHeapUsed(heap.getUsed()).setHeapCommitted(heap.getCommitted());
        try {
            // size resident shared ..., in pages of 4 KiB on the machines Sonde runs on
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            u.setRssBytes(Long.parseLong(f[1]) * 4096).setSharedBytes(Long.parseLong(f[2]) * 4096);
        } catch (IOException | RuntimeException e) {
            // not Linux: the node's memory monitor has no figure of it either
        }
        return u.build();
    }

    private static HeapResult dump(ProcessProfiler.Host host, Path file) {
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists already: give a new file for the heap dump (the JVM"
                    + " does not write over one).");
        }
        if (file.getParent() != null && !Files.isDirectory(file.getParent())) {
            throw new IllegalArgumentException("cannot write the heap dump to " + file + ": its directory "
                    + file.getParent() + " does not exist.");
        }
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), true);
            long size = Files.size(file);
            return HeapResult.newBuilder().setWho(host.describe()).setDumpPath(file.toString()).setDumpBytes(size)
                    .setText("Heap dump of " + host.describe() + ": live objects, " + ProfileSummary.bytes(size)
                            + ", written to " + file + ". Open it in Eclipse MAT or VisualVM.\n").build();
        } catch (IOException e) {
            throw new IllegalStateException("the heap dump of " + host.describe() + " to " + file + " failed: "
                    + e.getMessage(), e);
        }
    }
}
