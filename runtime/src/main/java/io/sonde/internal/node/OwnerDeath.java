package io.sonde.internal.node;

import io.sonde.OwnerDiedException;
import io.sonde.internal.node.actor.ActorFailures;
import io.sonde.internal.node.actor.ActorLifecycle;
import io.sonde.internal.node.actor.ActorRecord;
import io.sonde.internal.node.object.TaskResults;
import io.sonde.internal.node.sched.Scheduler;
import io.sonde.internal.node.task.Attempt;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskState;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.internal.serialization.Serializer;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.TaskKind;

import java.util.List;
import java.util.function.Predicate;

/**
 * What becomes of the work of a client session that ended, as Ray's ownership model has it: a
 * driver's or a worker's client owns the tasks it submitted, the actors it created and the
 * objects it put or awaits, and none of them outlives it.
 *
 * <pre>
 *   session closed ──▶ its tasks: waiting ──▶ out of the queues ──▶ FAILED (OwnerDiedException)
 *        │                        running ──▶ worker killed (WorkerPool.stop, as a forced cancel) ──▶ FAILED;
 *        │                                    its CPUs come back when the exit is seen
 *        ├──────────▶ its actors ──▶ killed, no restart; calls fail with ActorDiedException naming the owner
 *        └──────────▶ its objects still pending ──▶ hold OwnerDiedException: whoever waits fails now
 * </pre>
 * A driver's end takes its whole job: every live task and actor of the job, whoever submitted it
 * (the workers that own the nested ones are killed with the job), except its detached actors
 * and what their workers own, which live on, and its alive actors, which the node manager ends
 * gracefully before (their close() runs: {@code ActorLifecycle#closeAtJobEnd}). A worker's end
 * takes what its client owns, detached actors aside; what that work owned in turn follows when its
 * own worker's client closes.
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock. Only changes state and
 * enqueues (messages, kills).
 */
final class OwnerDeath {
    private final TaskTable tasks;
    private final Scheduler scheduler;
    private final TaskResults<ClientSession> results;
    private final ActorLifecycle actors;
    private final WorkerPool pool;

    OwnerDeath(TaskTable tasks, Scheduler scheduler, TaskResults<ClientSession> results, ActorLifecycle actors,
               WorkerPool pool) {
        this.tasks = tasks;
        this.scheduler = scheduler;
        this.results = results;
        this.actors = actors;
        this.pool = pool;
    }

    /** Why the work of a job whose driver exited ends. */
    static String driverGone(String jobId) {
        return "its driver (job " + jobId + ") exited";
    }

    /**
     * The driver of the job exited: the job's work ends, each task recorded as failed with why.
     * The actors the node ends gracefully ({@link ActorLifecycle#closeAtJobEnd}) and the detached
     * ones were dealt with before; {@code spared} are the clients of the workers of detached
     * actors, whose work goes on.
     */
    void driverExited(ClientSession driver, Predicate<String> spared) {
        String jobId = driver.jobId;
        String owner = driverGone(jobId);
        List<TaskRecord> live = tasks.liveOfJob(jobId).stream().filter(t -> !spared.test(t.owner())).toList();
        // Set first: a task that fails because its argument failed says why too.
        live.forEach(t -> t.errorMessage(owner));
        for (ActorRecord a : actors.liveOfJob(jobId)) {
            if (!a.detached() && a.endCause() == null) {
                actors.ownerDied(a, owner, ActorFailures.ownerDied(a, owner));
            }
        }
        for (TaskRecord t : live) {
            if (t.kind() != TaskKind.ACTOR_CREATION) {
                end(t, owner);
            }
        }
        results.ownerDied(s -> jobId.equals(s.jobId) && !spared.test(s.clientId), id -> objectFailure(id, owner));
    }

    /** A worker's client closed (its worker exited or died): the work it owns ends. */
    void workerClientClosed(ClientSession s) {
        // Actors first: an actor waiting for an argument its owner computes dies for its owner,
        // not for the argument's failure.
        for (ActorRecord a : actors.ownedBy(s.clientId)) {
            if (a.detached()) {
                continue; // it outlives its creator
            }
            String owner = ownerOf(s, a.creation());
            actors.ownerDied(a, owner, ActorFailures.ownerDied(a, owner));
        }
        for (TaskRecord t : tasks.ownedBy(s.clientId)) {
            if (t.kind() != TaskKind.ACTOR_CREATION && !endsWithItsActor(t)) {
                end(t, ownerOf(s, t));
            }
        }
        Predicate<ClientSession> same = c -> c == s;
        results.ownerDied(same, id -> objectFailure(id, "its owner, the client of worker " + s.workerId
                + pid(s) + ", died"));
    }

    /** A call in flight on an actor the dead owner does not own runs on: the actor is someone else's. Its result is dropped. */
    private static boolean endsWithItsActor(TaskRecord t) {
        return t.kind() == TaskKind.ACTOR_METHOD && t.state() == TaskState.RUNNING;
    }

    /**
     * Ends one task: out of its queue if it waits, its worker killed if it runs (a normal task's
     * worker runs nothing else); it fails with {@link OwnerDiedException}, and a late result or
     * the worker's exit changes nothing (it counts as cancelled: no retry).
     */
    private void end(TaskRecord t, String owner) {
        if (t.state().done()) {
            return;
        }
        t.errorMessage(owner);
        ObjectValue failure = Serializer.error(new OwnerDiedException(t.describe() + " was stopped: " + owner
                + ". The work a task submits ends with the task's worker, and a driver's with the driver: get"
                + " the results of nested tasks before the submitting task returns or fails, or submit them from"
                + " the driver."));
        switch (t.state()) {
            case RUNNING, SUBMITTED_TO_WORKER -> {
                if (t.kind() == TaskKind.NORMAL) {
                    pool.stop(t, true); // one queued behind another task is only taken out of its worker's queue
                }
                t.attemptEnded(Attempt.Ending.CANCELLED, "its owner died");
                results.complete(t, failure);
            }
            default -> {
                scheduler.remove(t);
                if (t.kind() == TaskKind.ACTOR_METHOD) {
                    actors.dropQueued(t);
                }
                results.fail(t, failure);
            }
        }
        // The worker's exit or late answer must neither retry it nor report it again.
        t.markCancelled();
    }

    /** "its owner, task f (task_id=...) on worker w... (pid 123), died", from the task it submitted. */
    private String ownerOf(ClientSession s, TaskRecord child) {
        String parent = child.spec().getParentTaskId();
        String name = parent.isEmpty() ? null : tasks.nameOf(parent);
        String task = parent.isEmpty() ? "the task" : "task " + (name == null ? "" : name + " ") + "(task_id=" + parent + ")";
        return "its owner, " + task + " on worker " + s.workerId + pid(s) + ", died";
    }

    private static String pid(ClientSession s) {
        return s.pid == 0 ? "" : " (pid " + s.pid + ")";
    }

    private static ObjectValue objectFailure(String objectId, String owner) {
        return Serializer.error(new OwnerDiedException("object " + objectId + " will never get a value: " + owner
                + " before it was ready."));
    }
}
