package io.sonde.internal.node.worker;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The node's workers as it stops: all of them, and those to kill at once rather than wait for.
 * Made under the node's lock ({@link WorkerPool#stopAll}), or without it by a node whose lock a
 * stuck thread holds ({@link #byForce}); {@link #run} waits off the lock.
 *
 * @param all    every worker to wait for
 * @param toKill the workers to kill at once
 */
public record WorkerStop(List<WorkerHandle> all, List<WorkerHandle> toKill) {
    /** Every worker launched, killed at once. */
    public static WorkerStop byForce(Collection<WorkerHandle> launched) {
        List<WorkerHandle> all = List.copyOf(launched);
        return new WorkerStop(all, all);
    }

    /**
     * Kills those to kill, then waits for every worker to exit and for its output to be relayed:
     * {@code force} allows 5 seconds in all, else 3 (a grace period for their last output); a
     * worker still alive then is killed. Every wait is bounded. Off the node's lock.
     */
    public void run(boolean force) {
        toKill.forEach(WorkerHandle::kill);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(force ? 5 : 3);
        for (WorkerHandle h : all) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !h.awaitExit(left, TimeUnit.NANOSECONDS)) {
                    h.kill();
                    h.awaitExit(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                h.kill();
            }
            h.awaitOutput();
        }
    }
}
