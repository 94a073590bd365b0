package io.sonde.cli.table;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sonde.profiler.proto.Amount;
import io.sonde.profiler.proto.LiveAllocations;
import io.sonde.profiler.proto.ProfilerGrpc;
import io.sonde.profiler.proto.UsageReply;
import io.sonde.profiler.proto.UsageRequest;
import io.sonde.profiler.proto.WorkerUsage;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.MemoryReport;
import io.sonde.proto.MemorySample;
import io.sonde.proto.ProcessMemoryInfo;
import io.sonde.proto.WorkerInfo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code sonde memory --by-name}: the memory of the node's workers summed by what they run (a
 * task's function, an actor's class), heaviest first; then, from the workers' latest
 * live-allocation profiles, the live bytes by allocating method and by allocated class.
 *
 * <pre>
 *   what each worker runs      ListWorkers, ListActors (the node)
 *   RSS − shared               the memory monitor's latest sample (the worker's own /proc reading without one)
 *   heap used, live profiles   the profiler's Usage: each worker's MemoryMXBean, the node's LiveAllocationStore
 * </pre>
 */
public final class MemoryByName {
    /** Rows of each table; the rest is counted ("… N more"). */
    public static final int TOP = 15;

    private MemoryByName() {
    }

    /** The node's figures for one run. */
    public record Inputs(MemoryReport memory, List<WorkerInfo> workers, List<ActorInfo> actors, UsageReply usage) {
    }

    /**
     * Reads the node's lists and its workers' figures, and prints the tables.
     *
     * @throws IllegalStateException the node has no profiler, or did not answer; the message says so
     */
    public static void run(Channel channel, String address, Supplier<MemoryReport> memory, ProfileTargets.Lists lists,
                           Duration deadline, PrintWriter out) {
        UsageReply usage;
        try {
            usage = ProfilerGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .usage(UsageRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            if (s.getCode() == Status.Code.UNIMPLEMENTED) {
                throw new IllegalStateException("The node at " + address + " runs without the profiler, which reads the"
                        + " workers' heaps for --by-name: sonde-profiler is not on its classpath. Start it with `sonde"
                        + " start` or `sonde run`, which put it there.");
            }
            throw new IllegalStateException("The node at " + address + " did not say its workers' memory: "
                    + (s.getDescription() == null ? s.getCode() : s.getDescription()), e);
        }
        print(out, address, new Inputs(memory.get(), lists.workers(), lists.actors(), usage));
    }

    /** What a worker runs, as the tables group it. */
    record Work(String kind, String name) {
        String label() {
            return kind + " " + name;
        }
    }

    private static final class Group {
        final Work work;
        int workers;
        long owned;
        long heap;
        int heapUnknown;
        int profiled;

        Group(Work work) {
            this.work = work;
        }
    }

    private static final class Live {
        long bytes;
        final TreeSet<String> in = new TreeSet<>();
    }

    static void print(PrintWriter out, String address, Inputs in) {
        Map<String, WorkerInfo> workers = new HashMap<>();
        in.workers().forEach(w -> workers.put(w.getWorkerId(), w));
        Map<String, ActorInfo> actors = new HashMap<>();
        in.actors().forEach(a -> actors.put(a.getActorId(), a));
        Map<Long, Long> monitored = new HashMap<>();
        boolean fromMonitor = in.memory().getSamplesCount() > 0;
        if (fromMonitor) {
            MemorySample now = in.memory().getSamples(in.memory().getSamplesCount() - 1);
            for (ProcessMemoryInfo p : now.getProcessesList()) {
                monitored.put(p.getPid(), p.getOwnedBytes());
            }
        }
        Map<Work, Group> groups = new LinkedHashMap<>();
        Map<String, Live> methods = new HashMap<>();
        Map<String, Live> classes = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        int ownReadings = 0;
        int profiled = 0;
        long oldestProfile = Long.MAX_VALUE;
        for (WorkerUsage u : in.usage().getWorkersList()) {
            Work work = work(workers.get(u.getWorkerId()), actors);
            Group g = groups.computeIfAbsent(work, Group::new);
            g.workers++;
            Long owned = monitored.get(u.getPid());
            if (owned == null && u.getRssBytes() > 0) {
                owned = Math.max(0, u.getRssBytes() - u.getSharedBytes());
                ownReadings++;
            }
            g.owned += owned == null ? 0 : owned;
            if (u.getHeapUsed() >= 0) {
                g.heap += u.getHeapUsed();
            } else {
                g.heapUnknown++;
                unknown.add("worker " + u.getWorkerId() + " (pid " + u.getPid() + "): " + u.getError());
            }
            if (u.hasLive()) {
                g.profiled++;
                profiled++;
                oldestProfile = Math.min(oldestProfile, u.getLive().getAtMs());
                add(methods, u.getLive().getMethodsList(), work);
                add(classes, u.getLive().getClassesList(), work);
            }
        }
        int count = in.usage().getWorkersCount();
        out.println("Memory by function and actor class of the node at " + address + ": " + count + " worker"
                + (count == 1 ? "" : "s") + ", heaviest first");
        if (count == 0) {
            out.println("  No worker runs on this node now: there is nothing to sum.");
            out.flush();
            return;
        }
        out.println("  MEM is RSS - shared (" + (fromMonitor ? "the memory monitor's latest sample" + (ownReadings > 0
                ? "; " + ownReadings + " worker" + (ownReadings == 1 ? "" : "s") + " it has not sampled yet read by"
                + " the worker itself" : "") : "read by each worker, the memory monitor being off") + "); HEAP USED is"
                + " each worker's heap in use now, garbage not yet collected included.");
        List<Group> sorted = groups.values().stream().sorted(Comparator.comparingLong((Group g) -> g.owned)
                .thenComparingLong(g -> g.heap).reversed()).toList();
        Table t = new Table("MEM", "HEAP USED", "WORKERS", "KIND", "NAME").alignRight("MEM").alignRight("HEAP USED")
                .alignRight("WORKERS");
        for (Group g : sorted.subList(0, Math.min(TOP, sorted.size()))) {
            t.row(Units.bytes(g.owned), Units.bytes(g.heap) + (g.heapUnknown > 0 ? " (" + g.heapUnknown + " ?)" : ""),
                    g.workers, g.work.kind, g.work.name);
        }
        t.print(out, "  ");
        more(out, sorted.size(), "names");
        for (String u : unknown.subList(0, Math.min(TOP, unknown.size()))) {
            out.println("  ? heap unknown, " + u);
        }
        more(out, unknown.size(), "workers whose heap is unknown");
        out.println();
        if (profiled == 0) {
            out.println("No live-allocation profile of these workers: `sonde profile <worker> --event alloc --live`"
                    + " records one, and --by-name then sums what is still alive by allocating method and by class.");
            out.flush();
            return;
        }
        String of = "latest live-allocation profiles of " + profiled + " of " + count + " workers, the oldest "
                + ago(oldestProfile);
        live(out, "Live bytes by allocating method (" + of + "):", "METHOD", methods);
        out.println();
        live(out, "Live bytes by allocated class (" + of + "):", "CLASS", classes);
        out.println("  (A profile keeps its top " + io.sonde.profiler.ProfileSummary.LIVE_TOP + " methods and classes;"
                + " bytes are async-profiler's sampled allocations still alive when it ended.)");
        out.flush();
    }

    private static Work work(WorkerInfo w, Map<String, ActorInfo> actors) {
        if (w == null) {
            return new Work("unknown", "(a worker the node no longer lists)");
        }
        if (!w.getActorId().isEmpty()) {
            ActorInfo a = actors.get(w.getActorId());
            return new Work("actor", a == null ? w.getActorId() : a.getClassName());
        }
        if (!w.getCurrentTask().isEmpty()) {
            return new Work("task", w.getCurrentTask());
        }
        return w.getState() == WorkerInfo.State.STARTING ? new Work("starting", "(no task yet)")
                : new Work("idle", "(no task)");
    }

    private static void add(Map<String, Live> into, List<Amount> amounts, Work work) {
        for (Amount a : amounts) {
            Live l = into.computeIfAbsent(a.getName(), k -> new Live());
            l.bytes += a.getBytes();
            l.in.add(work.label());
        }
    }

    private static void live(PrintWriter out, String title, String what, Map<String, Live> rows) {
        out.println(title);
        long all = rows.values().stream().mapToLong(l -> l.bytes).sum();
        List<Map.Entry<String, Live>> sorted = rows.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Live> e) -> e.getValue().bytes).reversed()
                        .thenComparing(Map.Entry::getKey)).toList();
        Table t = new Table("LIVE", "SHARE", what, "IN").alignRight("LIVE").alignRight("SHARE");
        for (Map.Entry<String, Live> e : sorted.subList(0, Math.min(TOP, sorted.size()))) {
            t.row(Units.bytes(e.getValue().bytes), String.format(Locale.ROOT, "%.1f%%", 100.0 * e.getValue().bytes
                    / Math.max(1, all)), e.getKey(), String.join(", ", e.getValue().in));
        }
        t.print(out, "  ");
        more(out, sorted.size(), what.toLowerCase(Locale.ROOT).equals("method") ? "methods" : "classes");
    }

    private static void more(PrintWriter out, int size, String what) {
        if (size > TOP) {
            out.println("  … " + (size - TOP) + " more " + what + " not shown");
        }
    }

    private static String ago(long atMillis) {
        long s = Math.max(0, (System.currentTimeMillis() - atMillis) / 1000);
        return s < 120 ? s + " s ago" : s < 7200 ? s / 60 + " min ago" : s / 3600 + " h ago";
    }
}
