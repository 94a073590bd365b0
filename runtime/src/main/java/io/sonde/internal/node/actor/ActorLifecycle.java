package io.sonde.internal.node.actor;

import io.sonde.internal.head.Head;
import io.sonde.internal.node.object.DependencyResolver;
import io.sonde.internal.node.object.TaskResults;
import io.sonde.internal.node.sched.Cancellation;
import io.sonde.internal.node.sched.Scheduler;
import io.sonde.internal.node.task.Attempt;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskState;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.TaskDone;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;
import io.sonde.proto.WorkerCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Drives the node's actors through their lifecycle (the states are in {@link ActorRecord}): the
 * creation on a worker of the actor's own, its calls sent in order once it is alive, a restart
 * when its worker dies and restarts are left, its death otherwise, kills, and the names actors
 * register with the head.
 *
 * <pre>
 *   create ──args ready──▶ Scheduler queue ──resources fit: admitted──▶ Workers.start
 *        ──hello: the creation runs──▶ taskDone ──ok──▶ ALIVE ──▶ pump
 *                                                                           └──threw──▶ dead
 *   call ──▶ queue ──args ready, ALIVE──▶ pump: Workers.send(execute) ──▶ taskDone ──▶ complete
 *   workerDied ──restarts left──▶ RESTARTING: the running calls (the maxConcurrency oldest in
 *        │                        flight) are retried (maxTaskRetries), the calls behind them
 *        │                        wait ──▶ Scheduler queue ──▶ Workers.start
 *        └──none left, or killed──▶ dead: every call fails with ActorDiedException
 * </pre>
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock. {@link Workers} only
 * changes state, launches and enqueues.
 */
public final class ActorLifecycle {
    private static final String KILLED = "it was killed by Sonde.kill";
    /** Calls pending on one actor at which its driver is first told, as Ray's 5000. */
    public static final int MANY_PENDING_CALLS = 5000;
    private static final WorkerCommand EXIT = WorkerCommand.newBuilder()
            .setExit(io.sonde.proto.Exit.getDefaultInstance()).build();

    /** How actors reach their workers; implemented by the node manager. */
    public interface Workers {
        /** False when the job ended: its actors start no worker any more. */
        boolean jobAlive(String jobId);

        /**
         * Launches a worker of the actor's job to host it: the creation runs at its hello. Returns
         * why the worker could not be launched.
         */
        Optional<String> start(ActorRecord a);

        /** Enqueues a command on the worker's stream. */
        void send(String workerId, WorkerCommand command);

        /** Kills the worker, if it has not exited. */
        void kill(String workerId);

        /** A line from the node manager for the job's driver; only enqueues. */
        void tellDriver(String jobId, String line);
    }

    private final ActorDirectory actors;
    private final TaskTable tasks;
    private final Scheduler scheduler;
    private final TaskResults<?> results;
    private final DependencyResolver resolver;
    private final Head head;
    private final Workers workers;
    private final Runnable schedule;

    /**
     * @param schedule runs the node's scheduler: an actor waiting for its resources is admitted
     *                 with the tasks, in submission order ({@link #admitted})
     */
    public ActorLifecycle(ActorDirectory actors, TaskTable tasks, Scheduler scheduler, TaskResults<?> results,
                          DependencyResolver resolver, Head head, Workers workers, Runnable schedule) {
        this.actors = actors;
        this.tasks = tasks;
        this.scheduler = scheduler;
        this.results = results;
        this.resolver = resolver;
        this.head = head;
        this.workers = workers;
        this.schedule = schedule;
    }

    /**
     * A driver creates an actor: it starts once its constructor's arguments are ready.
     *
     * @param namespace the namespace its name is unique in: its own, else its job's
     */
    public void create(TaskRecord creation, String namespace) {
        ActorRecord a = new ActorRecord(creation, namespace);
        actors.add(a);
        if (!a.name().isEmpty()) {
            Optional<String> first = head.registerNamedActor(namespace, a.name(), a.actorId());
            if (first.isPresent()) {
                ActorRecord other = actors.get(first.get());
                dead(a, "an actor named '" + a.name() + "' already exists in namespace '" + namespace + "': "
                        + (other == null ? "actor id=" + first.get() : other.describe() + " of job " + other.jobId()),
                        null);
                return;
            }
        }
        if (results.resolve(creation)) {
            startWorker(a);
        } else if (creation.state().done()) {
            dead(a, "its constructor's argument holds a failure", results.value(creation.spec().getReturnId()));
        }
    }

    /** No node can ever host the actor: it is dead at once, for {@code message} (the task's infeasibility). */
    public void infeasible(TaskRecord creation, String message, String namespace) {
        ActorRecord a = new ActorRecord(creation, namespace);
        actors.add(a);
        dead(a, "it " + message.substring(message.indexOf("cannot be scheduled")), null);
    }

    /** A call of an actor: it waits in the actor's queue, or fails at once when the actor is dead or unknown. */
    public void call(TaskRecord t) {
        ActorRecord a = actors.get(t.spec().getActorId());
        if (a == null || a.state() == ActorRecord.State.DEAD) {
            results.fail(t, a == null ? ActorFailures.noSuchActor(t) : ActorFailures.deadActor(a));
            return;
        }
        if (a.state() == ActorRecord.State.RESTARTING && a.maxTaskRetries() == 0) {
            // at most once, as Ray's: a call may not wait for an instance it was not made to
            results.fail(t, ActorFailures.restarting(t, a));
            return;
        }
        a.enqueue(t);
        int pending = a.pendingCalls();
        if (a.warnPending(pending)) {
            workers.tellDriver(a.jobId(), "warning: " + pending + " calls are pending on the " + a.describe()
                    + ": it runs one at a time, and they are submitted faster than it runs them. Each holds its"
                    + " arguments in memory until it runs. Wait for results before submitting more (Sonde.wait), or"
                    + " spread the work over more actors. (Told again at " + 2 * pending + ".)");
        }
        results.resolve(t);
        pump(a);
    }

    /** The last argument of a call or a creation is ready. */
    public void argsReady(TaskRecord t) {
        ActorRecord a = actors.get(t.spec().getActorId());
        if (t.kind() == TaskKind.ACTOR_METHOD) {
            pump(a);
        } else {
            startWorker(a);
        }
    }

    /** An argument of a call or a creation holds a failure: the task fails with it; a creation's actor dies. */
    public void argFailed(TaskRecord t, String objectId, ObjectValue failure) {
        ActorRecord a = actors.get(t.spec().getActorId());
        if (t.kind() == TaskKind.ACTOR_METHOD && a != null) {
            a.dropQueued(t);
        }
        results.fail(t, failure);
        if (t.kind() == TaskKind.ACTOR_CREATION && a != null) {
            dead(a, "its constructor's argument " + objectId + " holds a failure", failure);
        }
    }

    /** A cancelled call that has not reached the worker leaves its actor's queue. */
    public void dropQueued(TaskRecord call) {
        ActorRecord a = actors.get(call.spec().getActorId());
        if (a != null) {
            a.dropQueued(call);
            endIfOutOfScope(a);
        }
    }

    /** The actor's worker returned a call or the creation; an answer for another attempt is stale. */
    public void taskDone(ActorRecord a, TaskDone done) {
        taskDone(a, done, true);
    }

    /**
     * A result the actor's worker kept in its journal and did not deliver before its process
     * exited (the node reads the journal then): taken as if it had come, except that an actor
     * whose constructor it ends sends no call to the dead process; stale ones are dropped.
     */
    public void journaledResult(ActorRecord a, TaskDone done) {
        taskDone(a, done, false);
    }

    private void taskDone(ActorRecord a, TaskDone done, boolean workerAlive) {
        if (!a.endCallId().isEmpty() && a.endCallId().equals(done.getTaskId())) {
            // the terminate the node sent itself: the actor's close() ran
            endedOnPurpose(a, done.getActorExit().isEmpty() ? a.endCause() : done.getActorExit(), workerAlive);
            return;
        }
        TaskRecord t = a.inFlight(done.getTaskId());
        if (t == null && a.creation().id().equals(done.getTaskId()) && a.state() != ActorRecord.State.ALIVE
                && a.state() != ActorRecord.State.DEAD) {
            t = a.creation(); // its constructor ran: once per start (a second copy, from the journal, is stale)
        }
        if (t == null || !t.id().equals(done.getTaskId()) || t.attempt() != done.getAttempt()) {
            return;
        }
        ObjectValue result = done.getResult();
        t.attemptReturned(result);
        if (t == a.creation()) {
            if (result.getIsError()) {
                results.complete(t, result);
                dead(a, "its constructor threw", ActorFailures.constructorThrew(a, result));
                workers.kill(a.workerId());
            } else {
                t.state(TaskState.RUNNING);
                a.state(ActorRecord.State.ALIVE);
                a.closeable(done.getActorCloseable());
                if (workerAlive) {
                    pump(a);
                    endIfOutOfScope(a); // its last handle went while it was being created
                }
            }
            return;
        }
        a.callDone(t);
        t.leftWorker();
        results.complete(t, t.cancelled() ? Cancellation.failure(t) : result);
        if (!done.getActorExit().isEmpty()) {
            endedOnPurpose(a, done.getActorExit(), workerAlive);
        } else if (workerAlive) {
            endIfOutOfScope(a);
        }
    }

    /** Why an actor the node ends because no process holds a handle to it any more is dead. */
    public static final String OUT_OF_SCOPE = "it went out of scope: its last handle went and no call of it was"
            + " pending, so it was ended as by terminate()";

    /**
     * No process holds a handle to the actor any more (its anchor's last ref went: see
     * {@code ActorHandleImpl}): a non-detached actor ends once its pending calls have run, as Ray
     * ends an actor out of scope; its {@code close()} runs, as for {@code terminate()}.
     */
    public void handlesGone(String actorId) {
        ActorRecord a = actors.get(actorId);
        if (a == null || a.detached() || a.state() == ActorRecord.State.DEAD) {
            return;
        }
        a.outOfScope(true);
        endIfOutOfScope(a);
    }

    /** Ends the actor when it is out of scope and no call of it is pending; one not started yet dies at once. */
    private void endIfOutOfScope(ActorRecord a) {
        if (a == null || !a.outOfScope() || a.endCause() != null || a.state() == ActorRecord.State.DEAD
                || a.pendingCalls() > 0) {
            return;
        }
        if (a.state() == ActorRecord.State.ALIVE) {
            endByNode(a, OUT_OF_SCOPE);
        } else if (a.workerId().isEmpty()) {
            // it waits for its arguments or its resources: nothing of it runs, so nothing to close
            TaskRecord creation = a.creation();
            if (!creation.state().done()) {
                resolver.forget(creation);
                resolver.releaseArgs(creation);
            }
            a.killRequested(true);
            dead(a, "it went out of scope " + (a.state() == ActorRecord.State.RESTARTING ? "while it waited to restart"
                    : "before it started") + ": its last handle went and no call of it was pending", null);
        }
        // else its constructor runs on its worker: it ends once alive (taskDone)
    }

    /**
     * The node ends the alive actor itself, as a {@code terminate()} would: a terminate queued
     * on its worker behind the calls sent so far, whose {@code close()} runs, then its process
     * exits. {@code cause} is why it is dead, in its later calls' failures and in the list.
     */
    private void endByNode(ActorRecord a, String cause) {
        String callId = a.actorId() + "end";
        a.endingByNode(cause, callId);
        workers.send(a.workerId(), WorkerCommand.newBuilder().setExecute(TaskSpec.newBuilder()
                .setTaskId(callId).setReturnId(callId).setJobId(a.jobId()).setName(a.className() + ".terminate")
                .setKind(TaskKind.ACTOR_METHOD).setActorId(a.actorId()).setActorClass(a.className())
                .setTerminate(true).setTerminateReason(cause)).build());
    }

    /**
     * The node stops politely: an alive actor with a {@code close()} is ended as by
     * {@code terminate()}, after the calls already sent to its worker, its {@code close()}
     * running (one without is stopped with the other workers). Returns whether it is ending so
     * (the caller waits a bounded time for its worker's exit).
     */
    public boolean closeAtNodeStop(ActorRecord a) {
        if (a.state() != ActorRecord.State.ALIVE || a.endCause() != null || a.workerId().isEmpty()) {
            return a.endCause() != null && a.state() != ActorRecord.State.DEAD;
        }
        if (!a.closeable()) {
            return false; // no close() to run: it stops with the node's other workers
        }
        endByNode(a, "the node stopped: it was ended as by terminate()");
        return true;
    }

    /**
     * The actor's driver exited: a non-detached actor that is alive and has a {@code close()} is
     * ended as by {@code terminate()}, its {@code close()} running after the calls its worker has
     * already started; its queued calls fail with {@code error}. Returns true when so, and the
     * caller kills its worker once the grace it allows is over; else (not alive, or nothing to
     * close) it is killed now as
     * {@link #ownerDied}, and false is returned.
     */
    public boolean closeAtJobEnd(ActorRecord a, String cause, ObjectValue error) {
        if (a.state() == ActorRecord.State.DEAD) {
            return false;
        }
        if (a.endCause() != null) {
            return !a.workerId().isEmpty(); // already ending (out of scope): its close() runs
        }
        if (a.state() != ActorRecord.State.ALIVE || a.workerId().isEmpty() || !a.closeable()) {
            ownerDied(a, cause, error); // nothing to close: killed at once, as before it had a close()
            return false;
        }
        for (TaskRecord t : a.drainQueue()) {
            results.fail(t, error);
        }
        endByNode(a, cause + ": it was ended as by terminate()");
        return true;
    }

    /**
     * The actor's worker ran a call that ends the actor on purpose ({@code Sonde.exitActor()} in
     * it, or its {@code terminate()}), and its {@code close()}: the actor is dead, not restarted,
     * and its process is told to exit. The calls behind it, which the worker does not run, fail
     * with {@code cause}.
     */
    private void endedOnPurpose(ActorRecord a, String cause, boolean workerAlive) {
        if (a.state() == ActorRecord.State.DEAD) {
            return;
        }
        a.endingOnPurpose();
        String workerId = a.workerId();
        dead(a, cause, null);
        if (workerAlive) {
            workers.send(workerId, EXIT);
        }
    }

    /**
     * A worker that was started for the actor exited: when it hosted the actor, the actor restarts
     * or dies, and its calls in flight are retried, wait, or fail.
     *
     * @param exit  how the process ended, for the attempt of the call it ran
     * @param cause why the actor died, as its calls' failures say it, unless it was killed
     */
    public void workerDied(ActorRecord a, String workerId, String exit, String cause) {
        if (!workerId.equals(a.workerId())) {
            return;
        }
        a.workerGone();
        scheduler.release(a.creation().spec(), true);
        if (a.state() == ActorRecord.State.DEAD) {
            failCalls(a);
            return;
        }
        if (a.endCause() != null) {
            // the node was ending it (terminate sent): its process exited before its close() returned
            dead(a, a.endCause() + ", but its process exited before the actor's close() returned (" + exit + ")",
                    null);
            return;
        }
        String detail = a.killRequested() ? KILLED : cause;
        boolean restart = a.mayRestart(a.killRequested() && a.killNoRestart());
        // The worker starts calls in the order they were sent, at most maxConcurrency at once (one,
        // unless the actor asked for more), and starts one only once the node has every result
        // it did not journal; the node handles the exit after every result the worker sent or
        // journaled. So the calls that were running are among the maxConcurrency oldest in flight:
        // those died with the process (each retried only as maxTaskRetries allows); the calls
        // behind them never started, so they simply wait for the restarted actor.
        List<TaskRecord> retry = new ArrayList<>();
        int mayHaveRun = a.maxConcurrency();
        for (TaskRecord t : a.drainInFlight()) {
            boolean wasRunning = mayHaveRun > 0;
            mayHaveRun--;
            if (wasRunning) {
                t.attemptEnded(Attempt.Ending.WORKER_DIED, exit);
            }
            if (t.cancelled()) {
                results.complete(t, Cancellation.failure(t));
            } else if (restart && !wasRunning) {
                t.state(TaskState.PENDING_SCHEDULING);
                retry.add(t);
            } else if (restart && t.canRetry(a.maxTaskRetries())) {
                t.nextAttempt();
                t.state(TaskState.PENDING_SCHEDULING);
                retry.add(t);
            } else {
                results.complete(t, ActorFailures.actorDiedWhileRunning(t, a, detail, restart));
            }
        }
        a.requeueFirst(retry);
        if (restart) {
            a.restarting();
            startWorker(a);
        } else {
            dead(a, detail, null);
        }
    }

    /** {@code Sonde.kill}: the actor's worker is killed; the actor restarts unless told not to or none are left. */
    public void kill(String actorId, boolean noRestart) {
        ActorRecord a = actors.get(actorId);
        if (a == null || a.state() == ActorRecord.State.DEAD) {
            return;
        }
        a.killRequested(noRestart);
        boolean restart = a.mayRestart(noRestart);
        workers.kill(a.workerId());
        if (!restart) {
            // Calls made from now on fail at once instead of racing the process's exit.
            dead(a, KILLED, null);
        } else {
            // Calls made from now on wait for the restarted actor.
            a.state(ActorRecord.State.RESTARTING);
        }
    }

    /**
     * The actor's owner (the driver or the task that created it) is gone: the actor is killed and
     * does not restart, as Ray kills a non-detached actor whose owner died. Its calls, queued,
     * in flight and future, fail with {@code error}, an {@code ActorDiedException} that names the
     * owner. An actor still waiting for its constructor's arguments stops waiting.
     *
     * @param cause why it died, as {@code sonde list actors} shows it
     */
    public void ownerDied(ActorRecord a, String cause, ObjectValue error) {
        if (a.state() == ActorRecord.State.DEAD) {
            return;
        }
        a.killRequested(true);
        TaskRecord creation = a.creation();
        if (!creation.state().done()) {
            resolver.forget(creation);
            resolver.releaseArgs(creation);
        }
        // Its resources come back when the worker's exit is seen (workerDied); an actor that had
        // no worker yet never took them.
        workers.kill(a.workerId());
        dead(a, cause, error);
    }

    /** The actors that the client session {@code clientId} created and that are not dead: it owns them. */
    public List<ActorRecord> ownedBy(String clientId) {
        List<ActorRecord> owned = new ArrayList<>();
        for (ActorRecord a : actors.all()) {
            if (a.state() != ActorRecord.State.DEAD && a.creation().owner().equals(clientId)) {
                owned.add(a);
            }
        }
        return owned;
    }

    /** The job's actors that are not dead. */
    public List<ActorRecord> liveOfJob(String jobId) {
        List<ActorRecord> of = new ArrayList<>();
        for (ActorRecord a : actors.all()) {
            if (a.state() != ActorRecord.State.DEAD && a.jobId().equals(jobId)) {
                of.add(a);
            }
        }
        return of;
    }

    /** The actor of that name in the namespace, unless it is dead, ending, or out of scope. */
    public Optional<ActorRecord> named(String namespace, String name) {
        return head.namedActor(namespace, name).map(actors::get)
                .filter(a -> a.state() != ActorRecord.State.DEAD && a.endCause() == null && !a.outOfScope());
    }

    /** The job ended: its actors are forgotten, and so are their names; detached ones that live stay. */
    public void removeJob(String jobId) {
        for (ActorRecord a : actors.removeJob(jobId,
                a -> !a.detached() || a.state() == ActorRecord.State.DEAD)) {
            head.removeNamedActor(a.namespace(), a.name(), a.actorId());
        }
    }

    /**
     * The actor is dead for {@code cause}: its name is free again and its calls fail, with
     * {@code error} when it says more than the cause (a constructor that threw). Once only.
     */
    public void dead(ActorRecord a, String cause, ObjectValue error) {
        if (a.state() == ActorRecord.State.DEAD) {
            return;
        }
        a.died(cause, error);
        scheduler.remove(a.creation()); // when it still waited for its resources
        if (!a.name().isEmpty()) {
            head.removeNamedActor(a.namespace(), a.name(), a.actorId());
        }
        if (!a.creation().state().done()) {
            a.creation().state(TaskState.FINISHED);
            tasks.remove(a.creation().id());
        }
        failCalls(a);
    }

    /**
     * The actor waits for its resources in the scheduler's queue, as a task does, unless it is
     * dead or its job ended: it starts once they fit ({@link #admitted}).
     */
    private void startWorker(ActorRecord a) {
        if (a == null || a.state() == ActorRecord.State.DEAD) {
            return;
        }
        if (!workers.jobAlive(a.jobId())) {
            return;
        }
        scheduler.enqueue(a.creation());
        schedule.run();
    }

    /**
     * The scheduler admitted the actor's creation: the actor holds its resources for its life and
     * launches its worker, unless it died or its job ended while it waited.
     */
    public void admitted(TaskRecord creation) {
        ActorRecord a = actors.get(creation.spec().getActorId());
        if (a == null || a.state() == ActorRecord.State.DEAD || !workers.jobAlive(a.jobId())) {
            return;
        }
        scheduler.acquire(creation.spec());
        workers.start(a).ifPresent(failure -> {
            scheduler.release(creation.spec(), true);
            dead(a, failure, null);
        });
    }

    /** Sends queued calls to an alive actor in order, stopping at the first whose args are not ready. */
    private void pump(ActorRecord a) {
        if (a == null || a.state() != ActorRecord.State.ALIVE) {
            return;
        }
        for (TaskRecord t : a.takeSendable()) {
            t.running(a.workerId(), a.lastPid());
            workers.send(a.workerId(), WorkerCommand.newBuilder().setExecute(resolver.inline(t)).build());
        }
    }

    private void failCalls(ActorRecord a) {
        ObjectValue err = ActorFailures.deadActor(a);
        for (TaskRecord t : a.drainQueue()) {
            results.fail(t, err);
        }
        for (TaskRecord t : a.drainInFlight()) {
            results.complete(t, err);
        }
    }
}
