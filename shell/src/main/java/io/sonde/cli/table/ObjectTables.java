package io.sonde.cli.table;

import io.sonde.proto.ObjectInfo;
import io.sonde.proto.ObjectList;
import io.sonde.proto.ObjectStoreStats;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The screen of {@code sonde memory} and the shell's {@code /memory}, as {@code ray memory} draws
 * its own: every object the node keeps, in sections (per node or per call site), one row per
 * object with who holds it and why it is kept, a summary per section, then the object store's
 * figures.
 *
 * <p>At most {@link MemoryOptions#limit} rows are printed, the first in the chosen order (the
 * largest, by default); the summaries count every object, and a list that leaves some out says
 * how many, since a silently short list reads as "nothing else is kept".
 */
public final class ObjectTables {
    /** What the CALL_SITE column says when the client did not record where objects were created. */
    public static final String NO_CALL_SITE = "(disabled: set SONDE_RECORD_REF_CREATION_SITES=1)";

    private static final String[] HEADERS = {"OBJECT_ID", "NODE", "PID", "HOLDER", "SIZE", "REFERENCE_TYPE", "LOCATION",
            "CALL_SITE"};

    private ObjectTables() {
    }

    /** One section's objects, in the chosen order, and their total size. */
    private record Group(String key, List<ObjectInfo> objects, long bytes) {
        long pinned() {
            return objects.stream().filter(o -> o.getPinnedByTasks() > 0).count();
        }

        long pending() {
            return objects.stream().filter(o -> o.getLocation().equals("pending")).count();
        }
    }

    /** Prints the screen for the cluster at {@code address}. */
    public static void print(PrintWriter out, String address, ObjectList list, MemoryOptions options) {
        List<Group> groups = groups(list.getObjectsList(), options);
        out.println("Objects of the cluster at " + address + ": grouped by "
                + (options.groupBy() == MemoryOptions.GroupBy.NODE ? "node" : "call site") + ", "
                + (options.sortBy() == MemoryOptions.SortBy.SIZE ? "largest first" : "by object id"));
        if (groups.isEmpty()) {
            out.println();
            out.println("The node keeps no objects.");
        }
        int room = options.statsOnly() ? 0 : options.limit();
        int shown = 0;
        for (Group g : groups) {
            out.println();
            out.println("--- " + title(g, options.groupBy()) + " ---");
            List<ObjectInfo> rows = g.objects().subList(0, Math.min(room, g.objects().size()));
            room -= rows.size();
            shown += rows.size();
            if (!rows.isEmpty()) {
                rows(rows).print(out);
            }
            out.println(summary(g, rows.size(), options.statsOnly()));
        }
        int total = list.getObjectsCount();
        if (!options.statsOnly() && shown < total) {
            out.println();
            out.println("Showing " + shown + " of " + total + " objects: " + (total - shown) + " more left out ("
                    + (options.sortBy() == MemoryOptions.SortBy.SIZE ? "the smallest" : "the last by id")
                    + "); --limit N shows more, --stats-only only the summaries.");
        }
        out.println();
        printStore(out, list);
        out.flush();
    }

    /** The objects by section, each section in the chosen order; the sections largest first, or by name. */
    static List<Group> groups(List<ObjectInfo> objects, MemoryOptions options) {
        Function<ObjectInfo, String> key = options.groupBy() == MemoryOptions.GroupBy.NODE
                ? ObjectInfo::getNodeId : ObjectInfo::getCallSite;
        Comparator<ObjectInfo> byId = Comparator.comparing(ObjectInfo::getObjectId);
        Comparator<ObjectInfo> order = options.sortBy() == MemoryOptions.SortBy.SIZE
                ? Comparator.comparingLong(ObjectInfo::getSizeBytes).reversed().thenComparing(byId) : byId;
        Map<String, List<ObjectInfo>> byKey = new LinkedHashMap<>();
        objects.stream().sorted(order).forEach(o -> byKey.computeIfAbsent(key.apply(o), k -> new ArrayList<>()).add(o));
        List<Group> groups = new ArrayList<>();
        byKey.forEach((k, os) -> groups.add(new Group(k, os, os.stream().mapToLong(ObjectInfo::getSizeBytes).sum())));
        // Objects without a call site last: they are the ones the section cannot say anything about.
        Comparator<Group> known = Comparator.comparing(g -> g.key().isEmpty());
        groups.sort(options.sortBy() == MemoryOptions.SortBy.SIZE
                ? known.thenComparing(Comparator.comparingLong(Group::bytes).reversed()).thenComparing(Group::key)
                : known.thenComparing(Group::key));
        return groups;
    }

    private static String title(Group g, MemoryOptions.GroupBy by) {
        if (by == MemoryOptions.GroupBy.NODE) {
            return "node " + g.key();
        }
        return g.key().isEmpty() ? "call site unknown " + NO_CALL_SITE : "call site " + g.key();
    }

    private static Table rows(List<ObjectInfo> objects) {
        Table t = new Table(HEADERS).alignRight("SIZE");
        for (ObjectInfo o : objects) {
            t.row(o.getObjectId(), o.getNodeId(), Units.pid(o.getHolderPid()), holder(o),
                    o.getLocation().equals("pending") ? "" : Units.bytes(o.getSizeBytes()),
                    o.getReferenceType() + (o.getPinnedByTasks() > 1 ? "(" + o.getPinnedByTasks() + ")" : ""),
                    o.getLocation(), o.getCallSite().isEmpty() ? NO_CALL_SITE : o.getCallSite());
        }
        return t;
    }

    private static String holder(ObjectInfo o) {
        if (o.getHolderId().isEmpty()) {
            return "";
        }
        return o.getHolderIsDriver() ? "driver" : "worker";
    }

    /** {@code 3 objects, 1.5MiB in total (1 pinned by a task, 1 pending); 2 shown}. */
    private static String summary(Group g, int shown, boolean statsOnly) {
        StringBuilder b = new StringBuilder(count(g.objects().size(), "object")).append(", ")
                .append(Units.bytes(g.bytes())).append(" in total");
        List<String> notes = new ArrayList<>();
        if (g.pinned() > 0) {
            notes.add(g.pinned() + " pinned by tasks");
        }
        if (g.pending() > 0) {
            notes.add(g.pending() + " pending");
        }
        if (!notes.isEmpty()) {
            b.append(" (").append(String.join(", ", notes)).append(")");
        }
        if (!statsOnly && shown < g.objects().size()) {
            b.append("; ").append(shown).append(" shown");
        }
        return b.toString();
    }

    /** The object store's figures, or that the node runs none; the objects kept in the node's heap either way. */
    static void printStore(PrintWriter out, ObjectList list) {
        out.println("--- object store ---");
        String inline = count(list.getInlineObjects(), "object") + ", " + Units.bytes(list.getInlineBytes())
                + " (in the node manager's heap)";
        if (!list.hasStore()) {
            out.println("  object store: not running on this node");
            out.println("  inline           " + inline);
            return;
        }
        ObjectStoreStats s = list.getStore();
        out.println("  used             " + Units.bytes(s.getUsedBytes()) + " of " + Units.bytes(s.getCapacityBytes())
                + (s.getCapacityBytes() > 0
                ? String.format(Locale.ROOT, " (%.1f%%)", 100.0 * s.getUsedBytes() / s.getCapacityBytes()) : ""));
        out.println("  shared memory    " + count(s.getObjects(), "object"));
        out.println("  arena idle       " + Units.bytes(s.getArenaIdleBytes())
                + " (pages freed objects left in memory for the next writer; past the first "
                + Units.bytes(s.getArenaWarmBytes()) + " they go back after 10 s idle, all when the node's memory is short)");
        out.println("  inline           " + inline);
        out.println("  spilled          " + Units.bytes(s.getSpilledBytes()) + " in " + count(s.getSpilledObjects(), "object")
                + " since the node started, " + Units.bytes(s.getSpilledBytesNow()) + " on disk now"
                + (s.getSpillNanos() > 0 ? ", written at " + throughput(s.getSpilledBytes(), s.getSpillNanos()) : ""));
        out.println("  restored         " + Units.bytes(s.getRestoredBytes()) + " in " + count(s.getRestoredObjects(), "object"));
        out.println("  waiting writers  " + s.getWaitingWriters()
                + (s.getWaitingWriters() > 0 ? " (puts waiting for room in the store)" : ""));
        if (!s.getDirectory().isEmpty()) {
            out.println("  directory        " + s.getDirectory());
        }
        if (!s.getSpillDirectory().isEmpty()) {
            out.println("  spill directory  " + s.getSpillDirectory());
        }
    }

    /** {@code 812.5 MiB/s}: bytes written over the time spent writing them. */
    static String throughput(long bytes, long nanos) {
        return String.format(Locale.ROOT, "%.1f MiB/s", bytes / (1024.0 * 1024.0) / (nanos / 1e9));
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
