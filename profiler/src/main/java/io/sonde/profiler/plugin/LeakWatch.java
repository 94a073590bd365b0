package io.sonde.profiler.plugin;

import io.grpc.Status;
import io.sonde.profiler.ProfileSummary;
import io.sonde.profiler.leak.LeakDetector;
import io.sonde.profiler.leak.LeakSettings;
import io.sonde.profiler.proto.AllocationSite;
import io.sonde.profiler.proto.AllocationSites;
import io.sonde.profiler.proto.HeapAfterGc;
import io.sonde.profiler.proto.LeakSuspect;
import io.sonde.profiler.proto.LeaksReply;
import io.sonde.profiler.proto.ProfileRequest;
import io.sonde.profiler.proto.ProfileResult;
import io.sonde.profiler.proto.Target;
import io.sonde.profiler.proto.WorkerEvent;
import io.sonde.spi.WorkerMemory;
import io.sonde.spi.WorkerRef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's automatic leak profiles: feeds each worker's RSS (the memory monitor's samples) and
 * heap after GC (its worker part's {@link GcWatch}) to a {@link LeakDetector}; profiles a suspect
 * for {@link LeakSettings#profile} ({@code alloc} with {@code live} when its heap grows,
 * {@code nativemem} with {@code live} when RSS grows and the heap does not), at most once per
 * worker per {@link LeakSettings#period}; writes a report beside the profile's flame graph under
 * {@code <session>/profiler/leaks/}; and tells the worker's driver in one line.
 *
 * <pre>
 *   workerMemory (1/s) ─┐
 *   heap after GC ──────┴─▶ detector ──suspect──▶ profile the worker ──result──▶ report.md ──▶ driver's notice
 *                                                              └─error, exit──▶ failed (tried again in a minute)
 * </pre>
 *
 * <p>Threads: every method runs on the node plug-in's serial thread; only {@link #jobStarted}
 * (under the node's lock) writes the concurrent map of the jobs' settings.
 */
final class LeakWatch {
    /** Suspects kept for {@code sonde memory --leaks}: the latest. */
    static final int KEPT = 100;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** How long CPU readings of a worker are kept: the profile's baseline before it starts. */
    private static final long CPU_KEEP_MS = 6 * 60_000;

    /** What the watch needs of its plug-in. */
    interface Host {
        /** Profiles a worker into {@code dir}; on the serial thread. */
        void profile(ProfileRequest request, Path dir, ProfilerNodePlugin.Answer answer);

        /** A line for a job's driver. */
        void tellDriver(String jobId, String line);

        Path sessionDir();
    }

    /** A suspect, as listed; mutable on the serial thread. */
    private static final class Suspect {
        final WorkerRef worker;
        final String work;
        final LeakDetector.Suspicion suspicion;
        final long atMs;
        final LeakSettings settings;
        final long rss;
        final long owned;
        String state = "profiling";
        String report = "";
        String flameGraph = "";
        String notice = "";
        String error = "";
        boolean exited;
        long startedMs;
        long cpuAtStart = -1;
        double cpuBefore = Double.NaN;

        Suspect(WorkerRef worker, String work, LeakDetector.Suspicion suspicion, long atMs, LeakSettings settings,
                long rss, long owned) {
            this.worker = worker;
            this.work = work;
            this.suspicion = suspicion;
            this.atMs = atMs;
            this.settings = settings;
            this.rss = rss;
            this.owned = owned;
        }
    }

    /** A worker's CPU time, read once a second for a profile's baseline. */
    private record CpuReading(long atMs, long ticks) {
    }

    private final Host host;
    private final LeakSettings nodeSettings;
    private final Map<String, LeakSettings> jobs = new ConcurrentHashMap<>();
    private final LeakDetector detector = new LeakDetector();
    private final List<Suspect> suspects = new ArrayList<>();
    /** The latest sample of each worker: what it runs, its RSS. */
    private final Map<String, WorkerMemory> latest = new HashMap<>();
    private final Map<String, ArrayDeque<CpuReading>> cpu = new HashMap<>();

    LeakWatch(Host host, LeakSettings nodeSettings) {
        this.host = host;
        this.nodeSettings = nodeSettings;
    }

    /**
     * Under the node's lock: the job's settings, its options over the node's. An option that
     * cannot be used throws (the job then has the node's settings).
     */
    void jobStarted(String jobId, Map<String, String> options) {
        try {
            jobs.put(jobId, nodeSettings.withOptions(options));
        } catch (IllegalArgumentException e) {
            jobs.put(jobId, nodeSettings);
            throw e;
        }
    }

    void jobEnded(String jobId) {
        jobs.remove(jobId);
    }

    private LeakSettings settings(String jobId) {
        return jobs.getOrDefault(jobId, nodeSettings);
    }

    void memory(List<WorkerMemory> workers) {
        for (WorkerMemory m : workers) {
            String id = m.worker().workerId();
            latest.put(id, m);
            LeakSettings s = settings(m.worker().jobId());
            if (!s.enabled()) {
                continue;
            }
            readCpu(m.worker(), m.atMillis());
            detector.rss(id, m.atMillis(), m.rss(), s);
            check(m.worker(), m.atMillis(), s);
        }
    }

    void heap(WorkerRef worker, HeapAfterGc gc) {
        LeakSettings s = settings(worker.jobId());
        if (!s.enabled()) {
            return;
        }
        detector.heapAfterGc(worker.workerId(), gc.getAtMs(), gc.getUsed(), s);
        check(worker, gc.getAtMs(), s);
    }

    void exited(WorkerRef worker) {
        detector.exited(worker.workerId());
        latest.remove(worker.workerId());
        cpu.remove(worker.workerId());
        for (Suspect s : suspects) {
            if (s.worker.workerId().equals(worker.workerId())) {
                s.exited = true;
            }
        }
    }

    LeaksReply list() {
        LeaksReply.Builder b = LeaksReply.newBuilder().setSettings(nodeSettings.describe());
        for (Suspect s : suspects) {
            b.addSuspects(LeakSuspect.newBuilder().setWorkerId(s.worker.workerId()).setPid(s.worker.pid())
                    .setWork(s.work).setGrowth(s.suspicion.growth().describe()).setEvent(s.suspicion.event() + ", live")
                    .setState(s.state).setReport(s.report).setFlameGraph(s.flameGraph).setNotice(s.notice)
                    .setError(s.error).setAtMs(s.atMs).setExited(s.exited).setRule(s.settings.describe()));
        }
        return b.build();
    }

    private void check(WorkerRef worker, long nowMs, LeakSettings s) {
        Optional<LeakDetector.Suspicion> found = detector.check(worker.workerId(), nowMs, s);
        if (found.isEmpty()) {
            return;
        }
        WorkerMemory m = latest.get(worker.workerId());
        Suspect suspect = new Suspect(worker, m == null ? "" : m.work(), found.get(), nowMs, s,
                m == null ? 0 : m.rss(), m == null ? 0 : m.owned());
        suspects.add(suspect);
        if (suspects.size() > KEPT) {
            suspects.remove(0);
        }
        Path dir = host.sessionDir().resolve("profiler").resolve("leaks").resolve("worker-" + worker.workerId() + "-"
                + LocalDateTime.now().format(STAMP));
        ProfileRequest r = ProfileRequest.newBuilder().setTarget(Target.newBuilder().setWorkerId(worker.workerId()))
                .setEvent(found.get().event()).setLive(true).setDurationMs(s.profile().toMillis()).setFormat("html")
                .setCollectBeforeStop(true).build();
        host.profile(r, dir, new ProfilerNodePlugin.Answer() {
            @Override
            public void event(WorkerEvent e) {
                switch (e.getBodyCase()) {
                    case STARTED -> started(suspect);
                    case RESULT -> reported(suspect, e.getResult(), dir);
                    case ERROR -> profileFailed(suspect, e.getError());
                    default -> {
                    }
                }
            }

            @Override
            public void failed(Status status) {
                profileFailed(suspect, status.getDescription());
            }
        });
    }

    private void started(Suspect s) {
        s.startedMs = System.currentTimeMillis();
        s.cpuAtStart = cpuTicks(s.worker.pid());
        ArrayDeque<CpuReading> readings = cpu.get(s.worker.workerId());
        long from = s.startedMs - s.settings.profile().toMillis();
        if (readings != null && s.cpuAtStart >= 0) {
            for (CpuReading c : readings) {
                if (c.atMs >= from) {
                    if (s.startedMs - c.atMs >= 1000) {
                        s.cpuBefore = cores(s.cpuAtStart - c.ticks, s.startedMs - c.atMs);
                    }
                    break;
                }
            }
        }
    }

    private void profileFailed(Suspect s, String why) {
        s.state = "failed";
        s.error = why == null ? "" : why;
        detector.failed(s.worker.workerId(), System.currentTimeMillis());
    }

    private void reported(Suspect s, ProfileResult result, Path dir) {
        long endMs = System.currentTimeMillis();
        long cpuEnd = cpuTicks(s.worker.pid());
        double during = s.cpuAtStart >= 0 && cpuEnd >= 0 && endMs > s.startedMs
                ? cores(cpuEnd - s.cpuAtStart, endMs - s.startedMs) : Double.NaN;
        Path report = dir.resolve("report.md");
        s.flameGraph = result.getPath();
        String top = topSite(result.getSites(), s.suspicion.event());
        s.notice = "memory leak suspected in worker " + s.worker.workerId() + " (" + workLabel(s.work) + ", pid "
                + s.worker.pid() + "): " + s.suspicion.growth().describe() + "; " + top + "; report: " + report;
        try {
            Files.createDirectories(dir);
            Files.writeString(report, report(s, result, during));
            s.report = report.toString();
            s.state = "reported";
        } catch (IOException e) {
            s.state = "failed";
            s.error = "cannot write the report " + report + ": " + e.getMessage();
            s.notice = "";
            return;
        }
        host.tellDriver(s.worker.jobId(), s.notice);
    }

    /** {@code live allocations: Cache.put 71% (byte[])}. */
    static String topSite(AllocationSites sites, String event) {
        String what = event.equals("nativemem") ? "live native allocations" : "live allocations";
        if (sites.getBySiteCount() == 0 || sites.getBytes() <= 0) {
            return "no " + what + " sampled in the profile";
        }
        AllocationSite top = sites.getBySite(0);
        return what + ": " + shortMethod(top.getMethod()) + " " + Math.round(100.0 * top.getBytes() / sites.getBytes())
                + "% (" + shortClass(top.getType()) + ")";
    }

    /** {@code Cache.put} of {@code com.example.Cache.put}. */
    static String shortMethod(String method) {
        int dot = method.lastIndexOf('.');
        if (dot <= 0) {
            return method;
        }
        int before = method.lastIndexOf('.', dot - 1);
        return method.substring(before + 1);
    }

    /** {@code Entry} of {@code com.example.Entry}; {@code byte[]} as it is. */
    static String shortClass(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    /** {@code Cache actor 'cache'} of {@code actor com.example.Cache 'cache'}; {@code task load}; {@code idle}. */
    static String workLabel(String work) {
        if (work.isEmpty()) {
            return "idle";
        }
        if (work.startsWith("actor ")) {
            String rest = work.substring("actor ".length());
            int space = rest.indexOf(' ');
            String cls = space < 0 ? rest : rest.substring(0, space);
            String name = space < 0 ? "" : rest.substring(space);
            return shortClass(cls) + " actor" + name;
        }
        return work;
    }

    private String report(Suspect s, ProfileResult result, double cpuDuring) {
        StringBuilder b = new StringBuilder();
        LeakDetector.Suspicion sus = s.suspicion;
        String at = LocalDateTime.ofInstant(Instant.ofEpochMilli(s.atMs), ZoneId.systemDefault()).format(TIME);
        b.append("# Memory leak suspected in worker ").append(s.worker.workerId()).append(" (pid ")
                .append(s.worker.pid()).append(")\n\n");
        b.append("- Runs: ").append(s.work.isEmpty() ? "nothing (idle)" : s.work).append(", job ")
                .append(s.worker.jobId()).append('\n');
        b.append("- Suspected at ").append(at).append(": ").append(sus.growth().describe()).append('\n');
        sus.heap().ifPresent(g -> b.append("- Heap after GC: ").append(LeakDetector.mb(g.from())).append(" → ")
                .append(LeakDetector.mb(g.to())).append(" (").append(sign(g.bytes())).append(" in ")
                .append(seconds(g)).append(")\n"));
        sus.rss().ifPresent(g -> b.append("- RSS: ").append(LeakDetector.mb(g.from())).append(" → ")
                .append(LeakDetector.mb(g.to())).append(" (").append(sign(g.bytes())).append(" in ")
                .append(seconds(g)).append(")\n"));
        b.append("- RSS ").append(LeakDetector.mb(s.rss)).append(", RES − SHR ").append(LeakDetector.mb(s.owned))
                .append(" when suspected\n");
        b.append("- Rule: ").append(s.settings.describe()).append('\n');
        b.append("- Profile: ").append(sus.event()).append(", live, ").append(LeakSettings.format(s.settings.profile()))
                .append("; flame graph: ").append(result.getPath()).append('\n');
        b.append("- Its cost on the worker: ");
        if (Double.isNaN(cpuDuring)) {
            b.append("its CPU time could not be read");
        } else {
            b.append(String.format(Locale.ROOT, "it used %.2f cores during the profile", cpuDuring));
            if (!Double.isNaN(s.cpuBefore)) {
                b.append(String.format(Locale.ROOT, ", %.2f in the %s before it", s.cpuBefore,
                        LeakSettings.format(s.settings.profile())));
            }
        }
        b.append("; the full collection before the profile stopped (so that garbage is not counted live) took ")
                .append(result.getCollectMs()).append(" ms\n");
        AllocationSites sites = result.getSites();
        String kind = sus.event().equals("nativemem") ? "native allocations" : "allocations";
        b.append("\nWhat is still alive at the end of the profile, of the ").append(kind)
                .append(" it sampled (about one every 512 KB for alloc, 1 MB for nativemem; objects counts the sampled"
                        + " ones): ").append(ProfileSummary.bytes(sites.getBytes())).append(" in ")
                .append(String.format(Locale.ROOT, "%,d", sites.getObjects())).append(" objects.\n");
        table(b, "Top live-allocation sites", "site (class)", sites.getBySiteList(), sites.getBytes(),
                r -> r.getMethod() + " (" + r.getType() + ")");
        table(b, "By function", "function", sites.getByMethodList(), sites.getBytes(), AllocationSite::getMethod);
        table(b, "By class", "class", sites.getByClassList(), sites.getBytes(), AllocationSite::getType);
        b.append("\n## The profile's summary\n\n```\n").append(result.getSummary()).append("```\n");
        return b.toString();
    }

    private static void table(StringBuilder b, String title, String column, List<AllocationSite> rows, long all,
                              java.util.function.Function<AllocationSite, String> name) {
        b.append("\n## ").append(title).append("\n\n");
        if (rows.isEmpty()) {
            b.append("(none sampled)\n");
            return;
        }
        b.append("| bytes | share | objects | ").append(column).append(" |\n|---:|---:|---:|---|\n");
        for (AllocationSite r : rows) {
            b.append("| ").append(ProfileSummary.bytes(r.getBytes())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f%%", all <= 0 ? 0 : 100.0 * r.getBytes() / all))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", r.getObjects())).append(" | `")
                    .append(name.apply(r)).append("` |\n");
        }
    }

    private static String sign(long bytes) {
        return (bytes >= 0 ? "+" : "−") + LeakDetector.mb(Math.abs(bytes));
    }

    private static String seconds(LeakDetector.Growth g) {
        return Math.max(1, Math.round((g.toMs() - g.fromMs()) / 1000.0)) + " s";
    }

    private void readCpu(WorkerRef w, long atMs) {
        long ticks = cpuTicks(w.pid());
        if (ticks < 0) {
            return;
        }
        ArrayDeque<CpuReading> readings = cpu.computeIfAbsent(w.workerId(), id -> new ArrayDeque<>());
        readings.addLast(new CpuReading(atMs, ticks));
        while (!readings.isEmpty() && readings.peekFirst().atMs < atMs - CPU_KEEP_MS) {
            readings.removeFirst();
        }
    }

    /** Cores used: CPU ticks (1/100 s) over wall-clock milliseconds. */
    private static double cores(long ticks, long ms) {
        return ticks * 10.0 / ms;
    }

    /** The process's user and system CPU time in clock ticks (1/100 s), from /proc; -1 when it cannot be read. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
