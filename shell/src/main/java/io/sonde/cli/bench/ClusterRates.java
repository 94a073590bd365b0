package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;

/** Rates measured on a cluster of their own, for the metrics that compare two kinds of cluster. */
final class ClusterRates {
    /**
     * Each cluster's warm-up, in multiples of the plan's. Both clusters' workers are new JVMs, and
     * one still warming up when its rounds start makes the figure a comparison of JIT states; on
     * two cores shared with other work, the sync task rate of a new worker kept rising for 6 to 8
     * s, longer than the plan's 5 s.
     */
    static final int WARMUP_FACTOR = 2;

    private ClusterRates() {
    }

    /**
     * A new cluster, then the sync task rate as {@code single_client_tasks_sync} measures it. The
     * warm-up begins once the cluster is {@link AtRest at rest} (the job's worker and its spare
     * started), so that all of it goes to the JIT of a running worker, and lasts
     * {@value #WARMUP_FACTOR} times the plan's.
     */
    static Measurement syncTaskRate(Plan plan, InitOptions cluster) throws Exception {
        Sonde.shutdown();
        Sonde.init(cluster);
        AtRest.afterFirstTask();
        return Rounds.perSecond(plan.withWarmup(plan.warmup().multipliedBy(WARMUP_FACTOR)), () -> {
            Sonde.get(Sonde.task(BenchFunctions::small).remote());
            return 1;
        });
    }

    /**
     * The sync task rate on a new cluster started while system property {@code name} is
     * {@code value} (the node reads it as it starts, or at each worker launch); the cluster is shut
     * down and the property put back as it was before this returns.
     */
    static Measurement syncTaskRateWith(Plan plan, InitOptions cluster, String name, String value) throws Exception {
        String saved = System.getProperty(name);
        System.setProperty(name, value);
        try {
            return syncTaskRate(plan, cluster);
        } finally {
            io.sonde.Sonde.shutdown(); // before the property goes back
            if (saved == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, saved);
            }
        }
    }

    /**
     * {@code 100 * (1 - with / without)}: positive when {@code with} is slower, with its stddev from
     * the rounds' stddevs of the two rates, propagated as for a ratio of independent figures.
     */
    static Measurement costPct(Measurement without, Measurement with, int rounds) {
        double ratio = with.mean() / without.mean();
        double relative = Math.hypot(with.stddev() / with.mean(), without.stddev() / without.mean());
        return new Measurement(100 * (1 - ratio), 100 * ratio * relative, rounds);
    }
}
