package io.sonde.internal.node.sched;

import io.sonde.TaskCancelledException;
import io.sonde.internal.node.object.TaskResults;
import io.sonde.internal.node.task.Attempt;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.TaskKind;
import io.sonde.internal.serialization.Serializer;

/**
 * {@code Sonde.cancel}: a waiting task leaves its queue and fails at once; a running one is
 * interrupted on its worker (or, with force, its worker is killed) and its caller learns at once,
 * while the worker's eventual result is dropped. With {@code recursive}, the tasks it submitted
 * are cancelled first.
 *
 * <pre>
 *   PENDING_ARGS_AVAIL, PENDING_SCHEDULING ──▶ out of the ready queue (or its actor's) ──▶ CANCELLED
 *   RUNNING ──▶ interrupt (force: kill the worker of a normal task) ──▶ CANCELLED, result dropped
 *   done, or cancelled already ──▶ nothing
 * </pre>
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock. {@link ActorQueues} and
 * {@link Workers} only change state and enqueue commands.
 */
public final class Cancellation {
    /** Where actor calls wait for their actor (the actor package, which this one may not see). */
    public interface ActorQueues {
        /** An actor call that waits for its actor leaves the actor's queue. */
        void drop(TaskRecord call);
    }

    /** Where tasks run (the worker package, which this one may not see). */
    public interface Workers {
        /** Stops a running task on its worker: interrupts it, or with {@code kill} kills the worker. */
        void stop(TaskRecord t, boolean kill);
    }

    private final TaskTable tasks;
    private final Scheduler scheduler;
    private final TaskResults<?> results;
    private final ActorQueues actorQueues;
    private final Workers workers;

    public Cancellation(TaskTable tasks, Scheduler scheduler, TaskResults<?> results, ActorQueues actorQueues,
                        Workers workers) {
        this.tasks = tasks;
        this.scheduler = scheduler;
        this.results = results;
        this.actorQueues = actorQueues;
        this.workers = workers;
    }

    /** The failure a cancelled task's caller gets. */
    public static ObjectValue failure(TaskRecord t) {
        return Serializer.error(new TaskCancelledException(t.describe() + " was cancelled by Sonde.cancel"
                + (t.lastPid() != 0 ? " while it ran on worker pid=" + t.lastPid() : " before it started") + "."));
    }

    /** Cancels the live task whose result is {@code objectId}; nothing when there is none. */
    public void cancel(String objectId, boolean force, boolean recursive) {
        TaskRecord t = tasks.get(objectId);
        if (t != null) {
            cancel(t, force, recursive);
        }
    }

    private void cancel(TaskRecord t, boolean force, boolean recursive) {
        if (t.state().done() || t.cancelled()) {
            return;
        }
        t.markCancelled();
        if (recursive) {
            for (TaskRecord child : tasks.childrenOf(t.id())) {
                cancel(child, force, true);
            }
        }
        ObjectValue err = failure(t);
        switch (t.state()) {
            case PENDING_ARGS_AVAIL, PENDING_SCHEDULING -> {
                scheduler.remove(t);
                if (t.kind() == TaskKind.ACTOR_METHOD) {
                    actorQueues.drop(t);
                }
                results.fail(t, err);
            }
            case RUNNING -> {
                // An actor's worker hosts more than this call: only a normal task's worker is killed.
                workers.stop(t, force && t.kind() == TaskKind.NORMAL);
                // The caller learns at once; the worker's eventual result is dropped.
                t.attemptEnded(Attempt.Ending.CANCELLED, "");
                results.complete(t, err);
            }
            default -> {
            }
        }
    }
}
