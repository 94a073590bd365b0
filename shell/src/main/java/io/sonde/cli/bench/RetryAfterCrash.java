package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;

/**
 * {@code task_retry_after_crash_ms}: from submit to result of a task whose first attempt kills
 * its own worker ({@code Runtime.halt}) and whose retry returns at once, on a fresh cluster whose
 * job ran one task. The figure is what a crash costs the caller: the node sees the process exit
 * and its stream end, then runs the retry on the job's spare worker, started ahead, instead of
 * waiting for a JVM to start (compare {@code worker_cold_start_ms}).
 */
final class RetryAfterCrash implements Metric {
    private final InitOptions cluster;

    RetryAfterCrash(InitOptions cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "task_retry_after_crash_ms";
    }

    @Override
    public Measurement measure(Plan plan) {
        return WorkerColdStart.onFreshClusters(plan, cluster, AtRest::afterFirstTask, () -> Sonde.get(Sonde.task(BenchFunctions::haltOnFirstAttempt).name("crash_once").maxRetries(1).remote()));
    }
}
