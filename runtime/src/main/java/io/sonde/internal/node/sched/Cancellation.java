package io.sonde.internal.node.sched;

import io.sonde.TaskCancelledException;
import io.sonde.internal.node.object.TaskResults;
import io.sonde.internal.node.task.Attempt;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.proto.CancelledTask;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.TaskKind;
import io.sonde.internal.serialization.Serializer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Sonde.cancel}, as Ray's {@code ray.cancel}: a waiting task leaves its queue and fails at
 * once; a running one is interrupted on its worker (with force, its worker is killed) and its
 * caller learns at once, while the worker's eventual result is dropped. With {@code recursive},
 * the tasks it submitted are cancelled first.
 *
 * <pre>
 *   PENDING_ARGS_AVAIL, PENDING_SCHEDULING ──▶ out of the ready queue (or its actor's) ──▶ CANCELLED  (NOT_STARTED)
 *   SUBMITTED_TO_WORKER ──▶ interrupt: its worker gives it back from its queue ──▶ CANCELLED (NOT_STARTED),
 *                           or it had just started there: as RUNNING (never a kill: another task runs there)
 *   RUNNING ──▶ interrupt (force: kill the worker of a normal task) ──▶ CANCELLED, result dropped
 *                  │ the task leaves its worker ─────────────────────────────▶ STOPPED (forced: KILLED)
 *                  └ it is still on its worker when the canceller is told ─▶ STILL_RUNNING
 *   cancelled already, still on its worker ──force──▶ kill its worker (an earlier soft cancel
 *                                                   does not make a later force a no-op)
 *   done ──▶ nothing
 * </pre>
 * A task that ignores interrupts (a loop that never looks at them, a read blocked in native code)
 * keeps its worker, shown BUSY, and its CPUs, until it ends or a forced cancel kills the worker:
 * the node says so to the canceller ({@link #outcome}) instead of claiming it stopped.
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

        /** Whether the task is still on a live worker: it has not returned, and its worker has not exited. */
        boolean runs(TaskRecord t);
    }

    /**
     * One task a cancel reached, as it was then.
     *
     * @param wasRunning it was on a worker (else it waited, and never runs)
     * @param forced     its worker was told to die
     * @param pid        the worker it ran on; 0 when it never started
     */
    public record Reached(TaskRecord task, boolean wasRunning, boolean forced, long pid) {
    }

    private final TaskTable tasks;
    private final Scheduler scheduler;
    private final TaskResults<?> results;
    private final ActorQueues actorQueues;
    private final Workers workers;
    /**
     * Cancelled tasks that were running, by result id: the task table retires a task when its
     * caller learns it was cancelled, but until the task leaves its worker a forced cancel must
     * still find it and kill that worker. Pruned on each cancel.
     */
    private final Map<String, TaskRecord> cancelledOnWorkers = new HashMap<>();

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
        String when = switch (t.state()) {
            case RUNNING -> " while it ran on worker pid=" + t.lastPid();
            case SUBMITTED_TO_WORKER -> " before it started, while it was queued on worker pid=" + t.lastPid()
                    + " (as far as the node knew when the cancel came: the worker takes it out of its queue, or"
                    + " interrupts it if it had just started)";
            default -> t.lastPid() != 0 && t.state().done() ? " while it ran on worker pid=" + t.lastPid()
                    : " before it started";
        };
        return Serializer.error(new TaskCancelledException(t.describe() + " was cancelled by Sonde.cancel" + when + "."));
    }

    /**
     * Cancels the live task whose result is {@code objectId}, and with {@code recursive} the tasks
     * it submitted; returns the tasks it reached (none when the task is unknown or done).
     */
    public List<Reached> cancel(String objectId, boolean force, boolean recursive) {
        List<Reached> reached = new ArrayList<>();
        cancelledOnWorkers.values().removeIf(t -> !workers.runs(t));
        TaskRecord t = tasks.get(objectId);
        if (t == null) {
            t = cancelledOnWorkers.get(objectId);
        }
        if (t != null) {
            cancel(t, force, recursive, reached);
        }
        return reached;
    }

    /** What became of a task the cancel reached, as of now (see {@link CancelledTask.Outcome}). */
    public CancelledTask outcome(Reached r) {
        CancelledTask.Outcome o;
        if (!r.wasRunning()) {
            o = CancelledTask.Outcome.NOT_STARTED;
        } else if (workers.runs(r.task())) {
            o = CancelledTask.Outcome.STILL_RUNNING;
        } else if (r.task().wasReturnedUnrun()) {
            o = CancelledTask.Outcome.NOT_STARTED; // its worker gave it back from its queue
        } else {
            o = r.forced() ? CancelledTask.Outcome.KILLED : CancelledTask.Outcome.STOPPED;
        }
        return CancelledTask.newBuilder().setTaskId(r.task().id()).setName(r.task().spec().getName())
                .setPid(r.pid()).setOutcome(o).setForced(r.forced())
                .setActorCall(r.task().kind() == TaskKind.ACTOR_METHOD).build();
    }

    /** Whether a task the cancel reached still runs on its worker. */
    public boolean stillRuns(Reached r) {
        return r.wasRunning() && workers.runs(r.task());
    }

    /** The tasks it submitted: live ones, and cancelled ones still on their workers. */
    private List<TaskRecord> childrenOf(TaskRecord t) {
        List<TaskRecord> children = tasks.childrenOf(t.id());
        for (TaskRecord c : cancelledOnWorkers.values()) {
            if (c.spec().getParentTaskId().equals(t.id()) && !children.contains(c)) {
                children.add(c);
            }
        }
        return children;
    }

    private void cancel(TaskRecord t, boolean force, boolean recursive, List<Reached> reached) {
        if (t.cancelled()) {
            // Cancelled before, and maybe still on its worker because it ignored the interrupt: a
            // force now kills that worker, and the canceller is told again where the task is.
            if (recursive) {
                for (TaskRecord child : childrenOf(t)) {
                    cancel(child, force, true, reached);
                }
            }
            if (workers.runs(t)) {
                boolean kill = force && t.kind() == TaskKind.NORMAL;
                if (kill) {
                    workers.stop(t, true);
                }
                reached.add(new Reached(t, true, kill, t.lastPid()));
            }
            return;
        }
        if (t.state().done()) {
            return;
        }
        t.markCancelled();
        if (recursive) {
            for (TaskRecord child : childrenOf(t)) {
                cancel(child, force, true, reached);
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
                reached.add(new Reached(t, false, false, 0));
            }
            case SUBMITTED_TO_WORKER -> {
                // Queued on a worker behind the task it runs: the interrupt takes it out of that
                // queue (never a kill, which would end the task before it), and the worker gives it
                // back unrun, or interrupts it if it had just started. Until then it counts as on
                // its worker, so the canceller is told what became of it, not what should have.
                workers.stop(t, false);
                results.complete(t, err);
                reached.add(new Reached(t, true, false, t.lastPid()));
                if (workers.runs(t)) {
                    cancelledOnWorkers.put(t.spec().getReturnId(), t);
                }
            }
            case RUNNING -> {
                // An actor's worker hosts more than this call: only a normal task's worker is killed.
                boolean kill = force && t.kind() == TaskKind.NORMAL;
                workers.stop(t, kill);
                // The caller learns at once; the worker's eventual result is dropped.
                t.attemptEnded(Attempt.Ending.CANCELLED, "");
                results.complete(t, err);
                reached.add(new Reached(t, true, kill, t.lastPid()));
                if (workers.runs(t)) {
                    cancelledOnWorkers.put(t.spec().getReturnId(), t);
                }
            }
            default -> {
            }
        }
    }
}
