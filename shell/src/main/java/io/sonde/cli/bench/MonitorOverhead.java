package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.tooling.HostedNode;

/**
 * {@code monitor_overhead_pct}: what the memory monitor costs tasks. The sync task rate of
 * {@code single_client_tasks_sync} is measured on four embedded clusters started one after the
 * other, in the order off, on, on, off: off is {@code sonde.memory.monitorRefreshMs=0}, which the
 * node reads as it starts, as it reads {@code SONDE_MEMORY_MONITOR_REFRESH_MS}; on is the monitor
 * as clusters start by default, sampling every 250 ms. The order cancels a drift of the machine's
 * speed over the run (on a first run every later cluster was slower than the one before, which
 * made the monitor look 24% dear). The figure is {@code 100 * (1 - rate_on / rate_off)}, each rate
 * the mean of its two clusters; a figure under 2 stddev from zero is no measurable cost.
 */
final class MonitorOverhead implements Metric {
    private static final String PROPERTY = "sonde.memory.monitorRefreshMs";

    private final InitOptions cluster;
    private Measurement off;
    private Measurement on;
    private Measurement last;

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
        Measurement off1 = ClusterRates.syncTaskRateWith(plan, cluster, PROPERTY, "0");
        Measurement on1 = monitored(plan);
        if (plan.coldStartRounds() < 2) {
            // --quick proves the metric runs: one cluster of each kind
            off = off1;
            on = on1;
        } else {
            Measurement on2 = monitored(plan);
            Measurement off2 = ClusterRates.syncTaskRateWith(plan, cluster, PROPERTY, "0");
            Sonde.init(cluster); // the metrics that follow run on a default cluster
            off = mean(off1, off2);
            on = mean(on1, on2);
        }
        last = ClusterRates.costPct(off, on, plan.timedRounds());
        return last;
    }

    /** The sync task rate on a new cluster whose monitor samples, as clusters start by default. */
    private Measurement monitored(Plan plan) throws Exception {
        Measurement rate = ClusterRates.syncTaskRate(plan, cluster);
        if (!HostedNode.embedded().orElseThrow().memoryMonitorOn()) {
            throw new IllegalStateException(name() + ": the memory monitor is off on the cluster that should run it"
                    + " (SONDE_MEMORY_MONITOR_REFRESH_MS=0 in this environment?); unset it to measure.");
        }
        return rate;
    }

    /** The mean of two rates, with the stddev of their rounds pooled. */
    private static Measurement mean(Measurement a, Measurement b) {
        return new Measurement((a.mean() + b.mean()) / 2, Math.hypot(a.stddev(), b.stddev()) / 2,
                a.rounds() + b.rounds());
    }

    @Override
    public String note() {
        if (off == null || on == null) {
            return "";
        }
        String within = last != null && Math.abs(last.mean()) < 2 * last.stddev()
                ? "within the noise: under 2 stddev from 0; " : "";
        return within + "sync tasks/s " + Microbenchmark.number(on.mean()) + " with the monitor, "
                + Microbenchmark.number(off.mean()) + " without (off, on, on, off)";
    }
}
