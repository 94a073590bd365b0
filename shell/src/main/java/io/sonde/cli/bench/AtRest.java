package io.sonde.cli.bench;

import io.sonde.Sonde;
import io.sonde.proto.WorkerInfo;
import io.sonde.tooling.HostedNode;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A new cluster brought to rest before it is measured: its job ran one task, and the job's
 * worker and its spare (started ahead, in the background) are idle. On two cores the spare's
 * JVM start takes about two CPU-seconds from the driver and the task worker; a rate measured
 * while it starts measures that start, not the rate.
 */
final class AtRest {
    /** How long to wait for the spare; past it, the measure goes on as things are. */
    private static final long SPARE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private AtRest() {
    }

    /** Runs one task, then waits until the job's first worker and its spare are idle. */
    static void afterFirstTask() {
        Sonde.get(Sonde.task(BenchFunctions::small).remote());
        awaitIdleTaskWorkers(2);
    }

    /** Waits (bounded) until the embedded node has {@code n} idle task workers. */
    static void awaitIdleTaskWorkers(int n) {
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
