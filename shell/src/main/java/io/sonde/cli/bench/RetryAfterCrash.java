package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.proto.WorkerInfo;
import io.sonde.tooling.HostedNode;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code task_retry_after_crash_ms}: from submit to result of a task whose first attempt kills
 * its own worker ({@code Runtime.halt}) and whose retry returns at once, on a fresh cluster whose
 * job ran one task. The figure is what a crash costs the caller: the node sees the process exit
 * and its stream end, then runs the retry on the job's spare worker, started ahead, instead of
 * waiting for a JVM to start (compare {@code worker_cold_start_ms}).
 */
final class RetryAfterCrash implements Metric {
    /** How long a round waits for the job's spare worker to be idle; past it, the round is timed as it is. */
    private static final long SPARE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

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
        return WorkerColdStart.onFreshClusters(plan, cluster, () -> {
            Sonde.get(Sonde.task(BenchFunctions::small).remote());
            awaitIdleTaskWorkers(2);
        }, () -> Sonde.get(Sonde.task(BenchFunctions::haltOnFirstAttempt).name("crash_once").maxRetries(1).remote()));
    }

    /** Waits (bounded) until the embedded node has {@code n} idle task workers: the job's first one and its spare. */
    private static void awaitIdleTaskWorkers(int n) {
        HostedNode node = HostedNode.embedded().orElse(null);
        long deadline = System.nanoTime() + SPARE_WAIT_NANOS;
        while (node != null && System.nanoTime() < deadline) {
            List<WorkerInfo> idle = node.workers().stream()
                    .filter(w -> w.getActorId().isEmpty() && w.getState() == WorkerInfo.State.IDLE).toList();
            if (idle.size() >= n) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
