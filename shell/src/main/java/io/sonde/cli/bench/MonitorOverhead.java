package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.tooling.HostedNode;

/**
 * {@code monitor_overhead_pct}: what the memory monitor costs tasks. The sync task rate of
 * {@code single_client_tasks_sync} is measured on two embedded clusters started one after the
 * other: first with the monitor off ({@code sonde.memory.monitorRefreshMs=0}, which the node reads
 * as it starts, as it reads {@code SONDE_MEMORY_MONITOR_REFRESH_MS}), then with the monitor as
 * clusters start by default, sampling every 250 ms. The figure is
 * {@code 100 * (1 - rate_on / rate_off)}, as {@code jdwp_task_throughput_cost_pct} computes its
 * own, with the same caveat: the two clusters run one after the other, so a change of the
 * machine's load between them shows as a cost or a gain.
 */
final class MonitorOverhead implements Metric {
    private static final String PROPERTY = "sonde.memory.monitorRefreshMs";

    private final InitOptions cluster;
    private Measurement off;
    private Measurement on;

    MonitorOverhead(InitOptions cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "monitor_overhead_pct";
    }

    @Override
    public Measurement measure(Plan plan) throws Exception {
        if (HostedNode.embedded().isEmpty()) {
            throw new IllegalStateException(name() + " starts embedded clusters with the memory monitor off and on,"
                    + " and this driver joined a running cluster (SONDE_ADDRESS); unset it to measure.");
        }
        off = null;
        on = null;
        off = ClusterRates.syncTaskRateWith(plan, cluster, PROPERTY, "0");
        on = ClusterRates.syncTaskRate(plan, cluster);
        if (!HostedNode.embedded().orElseThrow().memoryMonitorOn()) {
            throw new IllegalStateException(name() + ": the memory monitor is off on the cluster that should run it"
                    + " (SONDE_MEMORY_MONITOR_REFRESH_MS=0 in this environment?); unset it to measure.");
        }
        return ClusterRates.costPct(off, on, plan.timedRounds());
    }

    @Override
    public String note() {
        if (off == null || on == null) {
            return "";
        }
        return "sync tasks/s " + Microbenchmark.number(on.mean()) + " with the monitor, "
                + Microbenchmark.number(off.mean()) + " without";
    }
}
