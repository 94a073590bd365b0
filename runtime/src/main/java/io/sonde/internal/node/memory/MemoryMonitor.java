package io.sonde.internal.node.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's memory monitor: every {@link MemorySettings#refreshMs} it reads the node's memory
 * ({@link NodeMemory}) and each of its processes' ({@link ProcessMemory}); above the threshold it
 * kills one worker ({@link KillPolicy}), waits for that process to be gone, and looks again. Once
 * per {@value #SUMMARY_PERIOD_S} s that saw a kill it tells the drivers how many.
 *
 * <pre>
 *   tick ──node.snapshot() (under the node's lock)──▶ read /proc (off it) ──first of its second──▶ node.sampled
 *     └──below the threshold──▶ done
 *     └──above the threshold──▶ KillPolicy ──node.kill(victim, report)──▶ wait for its exit ──▶ tick
 * </pre>
 *
 * <p>Runs on its own thread and holds no lock: it reaches the node only through {@link Node}, whose
 * calls take the node's lock briefly and never call back.
 */
public final class MemoryMonitor implements AutoCloseable {
    static final int SUMMARY_PERIOD_S = 10;
    /** How long the monitor waits for a killed worker to be gone before it looks again anyway. */
    private static final long EXIT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What the monitor needs of its node. */
    public interface Node {
        /** Under the node's lock: the workers the monitor may kill, and every process to show. */
        Snapshot snapshot();

        /**
         * Kills the candidate's worker for memory, if it still runs that work; the report is what
         * the work's failure says after "... killed due to the node running low on memory.".
         */
        boolean kill(KillPolicy.Candidate victim, String report);

        /**
         * Lets an idle worker go (it exits): it runs nothing, so nothing is lost. False when it
         * is no longer idle, or its client still owns work.
         */
        boolean releaseIdle(String workerId, long pid);

        /** A line for every driver on the node, from the node manager. */
        void tellDrivers(String line);

        /**
         * Gives the object store's idle arena pages back to the system (the store does it on its
         * own thread; the monitor does not wait). Nothing is lost: no object is in them.
         */
        default void releaseStoreIdle() {
        }

        /**
         * The first sample of a second (the one {@link #history()} keeps), for the node's
         * plug-ins. Called on the monitor's thread, holding no lock; must not block.
         */
        default void sampled(Sample sample) {
        }
    }

    /**
     * @param candidates the workers with work (their {@code owned} is filled in by the monitor)
     * @param processes  every process of the node, to rank by memory: workers, node manager, drivers
     * @param idle       the idle workers: worker ids by pid
     * @param objectStoreBytes     the shared memory the object store holds, idle arena pages included
     * @param objectStoreIdleBytes of which no object uses now
     */
    public record Snapshot(List<KillPolicy.Candidate> candidates, List<Labelled> processes, Map<Long, String> idle,
                           long objectStoreBytes, long objectStoreIdleBytes) {
        public Snapshot(List<KillPolicy.Candidate> candidates, List<Labelled> processes) {
            this(candidates, processes, Map.of());
        }

        public Snapshot(List<KillPolicy.Candidate> candidates, List<Labelled> processes, Map<Long, String> idle) {
            this(candidates, processes, idle, 0, 0);
        }
    }

    /**
     * A process and what it is: "worker w1 (task alloc)", "node manager", ...; {@code worker}: one
     * of the node's workers, whose memory a budget counts.
     */
    public record Labelled(long pid, String label, boolean worker) {
    }

    /** One reading: the node's use and capacity, and its processes by memory, largest first. */
    public record Sample(long atMillis, long used, long total, List<ProcessUse> processes) {
        public double fraction() {
            return total <= 0 ? 0 : (double) used / total;
        }
    }

    /** A process's memory in one sample. */
    public record ProcessUse(long pid, String label, long rss, long owned) {
    }

    private final String nodeId;
    private final String nodeIp;
    private final MemorySettings settings;
    private final NodeMemory memory;
    private final Node node;
    private final ScheduledExecutorService thread;
    private final AtomicInteger oomKills = new AtomicInteger();
    private final AtomicInteger otherDeaths = new AtomicInteger();
    private volatile Sample last;
    private final MemoryHistory history = new MemoryHistory();
    private final AtomicInteger oomKillsSinceStart = new AtomicInteger();
    /** The worker killed last, until it is gone; only the monitor's thread reads and writes it. */
    private long inFlightPid;
    private long inFlightSince;
    private long periodStart = System.nanoTime();
    private boolean warnedNothingToKill;

    public MemoryMonitor(String nodeId, String nodeIp, MemorySettings settings, NodeMemory memory, Node node) {
        this.nodeId = nodeId;
        this.nodeIp = nodeIp;
        this.settings = settings;
        this.memory = memory;
        this.node = node;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sonde-memory-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts sampling, unless the settings turn the monitor off. */
    public MemoryMonitor start() {
        if (settings.enabled()) {
            thread.scheduleWithFixedDelay(this::tickSafely, settings.refreshMs(), settings.refreshMs(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    public MemorySettings settings() {
        return settings;
    }

    public NodeMemory memory() {
        return memory;
    }

    /** The latest sample, if the monitor took one. */
    public Optional<Sample> last() {
        return Optional.ofNullable(last);
    }

    /** Its samples of the last hour, one per second. */
    public MemoryHistory history() {
        return history;
    }

    /** Workers killed for memory since the node started. */
    public int oomKillsSinceStart() {
        return oomKillsSinceStart.get();
    }

    /** A worker this monitor killed has exited: counted for the summary. Any thread; touches counters only. */
    public void workerKilledForMemory() {
        oomKills.incrementAndGet();
        oomKillsSinceStart.incrementAndGet();
    }

    /**
     * A worker died for another reason while it had work nobody asked to stop: counted for the
     * summary's "crashed due to other reasons". Any thread; touches counters only.
     */
    public void workerCrashed() {
        otherDeaths.incrementAndGet();
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            System.err.println("sonde node " + nodeId + ": the memory monitor failed a check and goes on: " + e);
        }
    }

    /** One check, on the monitor's thread. */
    void tick() {
        summary();
        Snapshot s = node.snapshot();
        Sample sample = measure(s);
        last = sample;
        if (history.add(sample)) {
            node.sampled(sample);
        }
        if (inFlightPid != 0) {
            boolean gone = ProcessHandle.of(inFlightPid).map(p -> !p.isAlive()).orElse(true);
            if (!gone && System.nanoTime() - inFlightSince < EXIT_WAIT_NANOS) {
                return; // its memory is not back yet
            }
            inFlightPid = 0;
        }
        if (sample.fraction() <= settings.threshold()) {
            warnedNothingToKill = false;
            return;
        }
        if (s.objectStoreIdleBytes() > 0) {
            // pages no object uses go first: the next check measures without them
            node.releaseStoreIdle();
            if (s.objectStoreIdleBytes() >= sample.used() - (long) (settings.threshold() * sample.total())) {
                return;
            }
        }
        if (releaseLargestIdle(s, sample)) {
            return;
        }
        List<KillPolicy.Candidate> measured = new ArrayList<>();
        for (KillPolicy.Candidate c : s.candidates()) {
            long owned = sample.processes().stream().filter(p -> p.pid() == c.pid()).mapToLong(ProcessUse::owned)
                    .findFirst().orElse(-1);
            if (owned >= 0) { // gone already: nothing to kill
                measured.add(new KillPolicy.Candidate(c.workerId(), c.pid(), c.kind(), c.owner(), c.work(), c.ref(),
                        c.startedAt(), owned));
            }
        }
        Optional<KillPolicy.Choice> choice = KillPolicy.choose(measured);
        if (choice.isEmpty()) {
            if (!warnedNothingToKill) {
                warnedNothingToKill = true;
                System.err.println("sonde node " + nodeId + ": memory use is " + usage(sample) + ", above the"
                        + " threshold, but no worker runs a task or an actor to kill, and no idle worker that could be"
                        + " let go would bring it back under; the node manager and drivers are not killed.");
            }
            return;
        }
        KillPolicy.Candidate victim = choice.get().victim();
        if (node.kill(victim, report(sample, choice.get()))) {
            inFlightPid = victim.pid();
            inFlightSince = System.nanoTime();
        }
    }

    /**
     * Above the threshold, an idle worker goes before any worker with work when it is the largest
     * worker of the node and its memory alone brings the node back under the threshold: a JVM
     * keeps the heap its last task grew, and an idle one runs nothing, so letting it go loses
     * nothing; the next check looks again once it is gone. Otherwise (a small spare beside a task
     * that grows) the idle workers stay and the policy kills at once, as if there were none: a
     * tick spent on a spare would let the growing task reach its own heap ceiling first.
     */
    private boolean releaseLargestIdle(Snapshot s, Sample sample) {
        long excess = sample.used() - (long) (settings.threshold() * sample.total());
        Optional<ProcessUse> largest = sample.processes().stream()
                .filter(p -> s.idle().containsKey(p.pid()) && p.owned() > 0)
                .max(Comparator.comparingLong(ProcessUse::owned));
        long largestWithWork = sample.processes().stream()
                .filter(p -> s.candidates().stream().anyMatch(c -> c.pid() == p.pid()))
                .mapToLong(ProcessUse::owned).max().orElse(0);
        if (largest.isEmpty() || largest.get().owned() < excess || largest.get().owned() <= largestWithWork) {
            return false;
        }
        long pid = largest.get().pid();
        String workerId = s.idle().get(pid);
        if (!node.releaseIdle(workerId, pid)) {
            return false;
        }
        System.err.println("sonde node " + nodeId + ": memory use is " + usage(sample) + ", above the threshold;"
                + " idle worker " + workerId + " (pid " + pid + ", " + Bytes.human(largest.get().owned())
                + ") is told to exit first: it runs nothing, so nothing is lost.");
        inFlightPid = pid;
        inFlightSince = System.nanoTime();
        return true;
    }

    /** Reads every process's memory and the node's; off the node's lock. */
    Sample measure(Snapshot s) {
        List<ProcessUse> uses = new ArrayList<>();
        long workers = 0;
        for (Labelled p : s.processes()) {
            Optional<ProcessMemory> m = ProcessMemory.read(p.pid());
            if (m.isEmpty()) {
                continue;
            }
            uses.add(new ProcessUse(p.pid(), p.label(), m.get().rss(), m.get().owned()));
            if (p.worker()) {
                workers += m.get().owned();
            }
        }
        uses.sort(Comparator.comparingLong(ProcessUse::owned).reversed());
        return new Sample(System.currentTimeMillis(), memory.used(workers, s.objectStoreBytes()), memory.total(),
                List.copyOf(uses));
    }

    private String usage(Sample s) {
        return Bytes.human(s.used()) + " / " + Bytes.human(s.total()) + String.format(Locale.ROOT, " (%.3f)", s.fraction());
    }

    /**
     * What the work's failure says after its first sentence: the node, the work and its memory,
     * the node's use against the threshold, why this worker, the top processes, what to do.
     */
    String report(Sample s, KillPolicy.Choice choice) {
        KillPolicy.Candidate v = choice.victim();
        StringBuilder b = new StringBuilder();
        b.append("Memory on the node (IP: ").append(nodeIp).append(", ID: ").append(nodeId).append(") where ")
                .append(v.work()).append(" (").append(v.ref()).append(", pid=").append(v.pid()).append(", memory used=").append(Bytes.human(v.owned()))
                .append(") was running was ").append(usage(s)).append(", which exceeds the memory usage threshold of ")
                .append(settings.threshold()).append(". Sonde killed this worker (ID: ").append(v.workerId())
                .append(") because ").append(choice.why()).append(". The node measures its memory by ")
                .append(memory.source()).append(".\n");
        b.append("Top 10 memory users (RES - SHR):\n");
        b.append(String.format(Locale.ROOT, "%-8s %12s  %s%n", "PID", "MEM", "PROCESS"));
        s.processes().stream().limit(10).forEach(p ->
                b.append(String.format(Locale.ROOT, "%-8d %12s  %s%n", p.pid(), Bytes.human(p.owned()), p.label())));
        if (s.processes().size() > 10) {
            b.append("(").append(s.processes().size() - 10).append(" more processes not shown)\n");
        }
        b.append("What to do: declare what a task needs with .memory(bytes), so that the node runs only as many at"
                + " once as fit; run fewer tasks at once by asking more CPUs for each (.numCpus(2)); or give the node"
                + " more memory. The threshold is ").append(MemorySettings.THRESHOLD_ENV).append(" (now ")
                .append(settings.threshold()).append(") and ").append(MemorySettings.REFRESH_ENV)
                .append("=0 turns the monitor off (the kernel's OOM killer then decides), both read when the node"
                        + " starts. To see what holds the memory: `sonde list workers` (each worker's memory) and"
                        + " the worker's log.");
        return b.toString();
    }

    /** Once per period that saw a kill: how many, to every driver. */
    private void summary() {
        if (System.nanoTime() - periodStart < TimeUnit.SECONDS.toNanos(SUMMARY_PERIOD_S)) {
            return;
        }
        periodStart = System.nanoTime();
        int killed = oomKills.getAndSet(0);
        int crashed = otherDeaths.getAndSet(0);
        if (killed > 0) {
            node.tellDrivers(summaryLine(killed, crashed));
        }
    }

    static String summaryLine(int killed, int crashed) {
        return killed + " worker" + (killed == 1 ? "" : "s") + " killed due to memory pressure (OOM), " + crashed
                + " worker" + (crashed == 1 ? "" : "s") + " crashed due to other reasons in the last "
                + SUMMARY_PERIOD_S + " s";
    }

    /** Stops sampling. A period's kills not yet told are not told: the drivers are leaving too. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
