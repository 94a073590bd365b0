package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.proto.WorkerInfo;
import io.sonde.tooling.HostedNode;

import java.util.List;
import java.util.Locale;

/**
 * {@code jdwp_task_throughput_cost_pct}: what the JDWP agent in every worker costs tasks that are
 * not being debugged. The sync task rate of {@code single_client_tasks_sync} is measured on two
 * embedded clusters started one after the other in this process: first with the agent off
 * ({@code -Dsonde.debugger=off} set in this JVM, where the embedded node reads it each time it
 * launches a worker), then with it on, as clusters start by default. Each cluster runs one task
 * to start its worker JVM, then gets twice the plan's warm-up (the worker's JIT starts from
 * nothing) and the plan's timed rounds; the workers' JDWP ports are checked afterwards, so the two runs
 * differ in the agent and nothing else the benchmark controls. The cluster with the agent stays
 * up for the metrics that follow.
 *
 * <p>The figure is {@code 100 * (1 - rate_with / rate_without)}: positive when tasks are slower
 * with the agent. Its stddev comes from the rounds' stddevs of the two rates, propagated as for
 * a ratio of independent figures. It covers the noise between rounds, not a change of the
 * machine's load between the two clusters, which run one after the other: other processes'
 * work shows as a cost or a gain of tens of percent, so measure on an otherwise idle machine. A
 * figure within 2 stddev of zero is no measurable cost; the note says so.
 */
final class JdwpTaskCost implements Metric {
    static final double TARGET_PCT = 5;
    private static final String PROPERTY = "sonde.debugger";

    private final InitOptions cluster;
    private Measurement without;
    private Measurement with;
    private Measurement last;

    JdwpTaskCost(InitOptions cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "jdwp_task_throughput_cost_pct";
    }


    @Override
    public Measurement measure(Plan plan) throws Exception {
        if (HostedNode.embedded().isEmpty()) {
            throw new IllegalStateException(name() + " switches the JDWP agent of an embedded cluster's workers on and"
                    + " off, and this driver joined a running cluster (SONDE_ADDRESS); unset it to measure.");
        }
        if (ParkedTask.debuggerOffHere()) {
            throw new IllegalStateException(name() + ": the debugger is off (" + ParkedTask.debuggerSetting()
                    + "), and this metric compares workers with and without the JDWP agent. Unset it to measure.");
        }
        without = null;
        with = null;
        last = null;
        String saved = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, "off");
        try {
            without = syncTaskRate(plan, false);
        } finally {
            Sonde.shutdown(); // before the property goes back: the node reads it at each worker launch
            if (saved == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, saved);
            }
        }
        with = syncTaskRate(plan, true);
        last = ClusterRates.costPct(without, with, plan.timedRounds());
        return last;
    }

    /** A new cluster, its sync task rate ({@link ClusterRates#syncTaskRate}), and a check of its workers. */
    private Measurement syncTaskRate(Plan plan, boolean jdwp) throws Exception {
        Measurement rate = ClusterRates.syncTaskRate(plan, cluster);
        checkWorkers(jdwp);
        return rate;
    }

    /** The workers that ran the tasks have the agent (and hold its connection) exactly when they should. */
    private void checkWorkers(boolean jdwp) {
        HostedNode node = HostedNode.embedded().orElse(null);
        List<WorkerInfo> workers = node == null ? List.of() : node.workers();
        if (workers.isEmpty()) {
            throw new IllegalStateException(name() + ": the cluster lists no workers after running tasks");
        }
        for (WorkerInfo w : workers) {
            if (w.getState() == WorkerInfo.State.STARTING || w.getState() == WorkerInfo.State.DEAD) {
                continue; // the job's spare, still starting, has said nothing yet (nor has a worker gone)
            }
            if (debuggable(node, w.getWorkerId(), jdwp) != jdwp) {
                throw new IllegalStateException(name() + ": worker pid " + w.getPid() + (jdwp ? " holds no" : " holds a")
                        + " JDWP connection on the cluster that should run" + (jdwp ? " with" : " without") + " the agent");
            }
        }
    }

    /**
     * Whether the worker holds its JDWP connection (it runs the agent); with the agent expected,
     * waits a little for a worker that said hello before it reported it.
     */
    private static boolean debuggable(HostedNode node, String workerId, boolean expected) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        boolean held = DebugNodePlugin.of(node).debuggable(workerId);
        while (expected && !held && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            held = DebugNodePlugin.of(node).debuggable(workerId);
        }
        return held;
    }

    /** The sync task rate with the agent, from the last {@link #measure}; null before. */
    Measurement withJdwp() {
        return with;
    }

    /** The sync task rate without the agent, from the last {@link #measure}; null before. */
    Measurement withoutJdwp() {
        return without;
    }

    @Override
    public String note() {
        String note = String.format(Locale.ROOT, "target < %.0f%%", TARGET_PCT);
        Measurement cost = last;
        if (cost != null && Math.abs(cost.mean()) < 2 * cost.stddev()) {
            note += "; within the noise: under 2 stddev from 0";
        }
        if (with != null && without != null) {
            note += "; sync tasks per second " + Microbenchmark.number(with.mean()) + " +- "
                    + Microbenchmark.number(with.stddev()) + " with JDWP, " + Microbenchmark.number(without.mean())
                    + " +- " + Microbenchmark.number(without.stddev()) + " without";
        }
        return note;
    }
}
