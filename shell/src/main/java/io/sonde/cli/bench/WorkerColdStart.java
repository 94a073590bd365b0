package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;

/**
 * {@code worker_cold_start_ms}: how long a fresh job waits for its first result. Each round
 * shuts the cluster down and starts a new embedded one ({@code Sonde.init}), then times one
 * trivial task from submit to result.
 *
 * <p>The node launches a job's first worker JVM as soon as the driver registers, which
 * {@code Sonde.init} waits for; the submit follows init at once, so the figure is essentially
 * worker JVM start, its connection to the node, and the first task's round trip. The clusters
 * started here replace the one the other metrics used, which also frees the objects they stored.
 */
final class WorkerColdStart implements Metric {
    private final InitOptions cluster;

    WorkerColdStart(InitOptions cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "worker_cold_start_ms";
    }


    @Override
    public Measurement measure(Plan plan) {
        return onFreshClusters(plan, cluster, () -> { }, () -> Sonde.get(Sonde.task(BenchFunctions::small).remote()));
    }

    /**
     * {@code plan.coldStartRounds()} rounds, each on a new embedded cluster started with
     * {@code cluster}: {@code prepare} runs untimed, then {@code timed} is timed, in milliseconds.
     */
    static Measurement onFreshClusters(Plan plan, InitOptions cluster, Runnable prepare, Runnable timed) {
        double[] millis = new double[plan.coldStartRounds()];
        for (int i = 0; i < millis.length; i++) {
            Sonde.shutdown();
            Sonde.init(cluster);
            prepare.run();
            long start = System.nanoTime();
            timed.run();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return Measurement.of(millis);
    }
}
