package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.ObjectRef;
import io.sonde.OutOfMemoryException;
import io.sonde.Sonde;
import io.sonde.proto.WorkerInfo;
import io.sonde.tooling.HostedNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code oom_kill_reaction_ms}: how long the memory monitor takes from the moment a node's
 * workers use more than its threshold to the moment the worker it kills is gone. Each round
 * starts an embedded cluster with a memory budget of {@value #BUDGET_MIB} MiB and runs one task
 * that allocates 8 MiB every 20 ms until it is killed. This driver watches the workers the way the
 * monitor does, every millisecond: the sum of their RES − SHR from {@code /proc/PID/statm}; the
 * clock starts when that sum first exceeds the threshold and stops when the task's worker no
 * longer exists. The monitor samples every 250 ms by default, so most of the figure is the wait for
 * its next sample (125 ms on average); the target is 500 ms.
 */
final class OomKillReaction implements Metric {
    static final int BUDGET_MIB = 1024;
    static final double TARGET_MS = 500;
    private static final double THRESHOLD = 0.95;
    private static final long PAGE = 4096;

    private final InitOptions cluster;

    OomKillReaction(InitOptions cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "oom_kill_reaction_ms";
    }

    @Override
    public String note() {
        return "target under " + (int) TARGET_MS + " ms; the monitor samples every 250 ms";
    }

    @Override
    public Measurement measure(Plan plan) throws Exception {
        if (HostedNode.embedded().isEmpty()) {
            throw new IllegalStateException(name() + " starts embedded clusters with a memory budget, and this driver"
                    + " joined a running cluster (SONDE_ADDRESS); unset it to measure.");
        }
        int rounds = plan.coldStartRounds();
        double[] millis = new double[rounds];
        try {
            for (int i = 0; i < rounds; i++) {
                millis[i] = round();
            }
        } finally {
            Sonde.shutdown();
            Sonde.init(cluster); // the metrics after this one run on a cluster without a budget
        }
        return Measurement.of(millis);
    }

    private double round() throws Exception {
        Sonde.shutdown();
        // The hog's heap may outgrow the threshold: with the node's ceiling (the threshold of the
        // budget) its JVM could end the task with an OutOfMemoryError first, as an idle worker's
        // few tens of MB besides its heap are not always enough to cross it.
        Sonde.init(withBudget(cluster, (long) BUDGET_MIB << 20).workerJvmOption("-Xmx" + 2 * BUDGET_MIB + "m"));
        HostedNode node = HostedNode.embedded().orElseThrow();
        ObjectRef<Integer> hog = Sonde.task(BenchFunctions::allocateUntilKilled).name("hog").maxRetries(0).oomRetries(0)
                .remote();
        long limit = (long) (THRESHOLD * ((long) BUDGET_MIB << 20));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long crossed = 0;
        long victim = 0;
        List<WorkerInfo> workers = node.workers();
        long listedAt = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() - listedAt > 50_000_000L) {
                workers = node.workers();
                listedAt = System.nanoTime();
            }
            if (victim == 0) {
                victim = workers.stream().filter(w -> w.getCurrentTask().equals("hog")).mapToLong(WorkerInfo::getPid)
                        .findFirst().orElse(0);
            }
            if (crossed == 0) {
                long sum = 0;
                for (WorkerInfo w : workers) {
                    sum += owned(w.getPid());
                }
                if (sum > limit) {
                    crossed = System.nanoTime();
                }
            } else if (victim != 0 && ProcessHandle.of(victim).map(p -> !p.isAlive()).orElse(true)) {
                long gone = System.nanoTime();
                try {
                    Sonde.get(hog, Duration.ofSeconds(30));
                    throw new IllegalStateException(name() + ": the task that never stops allocating returned");
                } catch (OutOfMemoryException expected) {
                    return (gone - crossed) / 1e6;
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException(name() + ": within 60 s the node's workers " + (crossed == 0
                ? "never used more than " + THRESHOLD + " of its " + BUDGET_MIB + " MiB budget"
                : "crossed the threshold but the task's worker (pid " + victim + ") was not killed"));
    }

    /** The cluster's options, with a memory budget. */
    static InitOptions withBudget(InitOptions cluster, long bytes) {
        InitOptions o = new InitOptions().logToDriver(cluster.logToDriver()).memory(bytes);
        cluster.numCpus().ifPresent(o::numCpus);
        cluster.workerJvmOptions().forEach(o::workerJvmOption);
        cluster.resources().forEach(o::resource);
        cluster.pluginOptions().forEach(o::pluginOption);
        return o;
    }

    /** RES − SHR of a process, 0 when it is gone. */
    private static long owned(long pid) {
        try {
            String[] f = Files.readString(Path.of("/proc", Long.toString(pid), "statm")).trim().split("\\s+");
            return (Long.parseLong(f[1]) - Long.parseLong(f[2])) * PAGE;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
