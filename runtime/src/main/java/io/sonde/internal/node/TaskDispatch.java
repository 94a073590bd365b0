package io.sonde.internal.node;

import io.sonde.internal.node.object.DependencyResolver;
import io.sonde.internal.node.object.TaskResults;
import io.sonde.internal.node.sched.Retries;
import io.sonde.internal.node.sched.Scheduler;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.WorkerKind;
import io.sonde.internal.node.worker.WorkerExit;
import io.sonde.internal.node.worker.Worker;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.proto.GiveBack;
import io.sonde.proto.Scheduling;
import io.sonde.proto.TaskDone;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;
import io.sonde.proto.TaskTaken;
import io.sonde.proto.TasksReturned;
import io.sonde.proto.WorkerCommand;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs normal tasks on the workers of their job: leases idle workers to the ready tasks the node
 * has room for, starts the workers wanted, sends each task with its arguments inlined, and takes
 * it back when the worker returns it or dies, where {@link Retries} decides what becomes of it.
 * (An actor's creation waits in the same queue for its resources, then starts a worker of its own
 * and goes there the same way; its calls do not come here.)
 *
 * <pre>
 *   enqueue ──▶ schedule: Scheduler.schedule(leases) ──idle worker──▶ dispatch: execute ──▶ worker
 *                  │ none idle: WorkerSupervisor.start                                  │
 *                  ◀── idle ◀── taskDone / workerDied: Retries (requeue or end) ◀───────┘
 * </pre>
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock.
 */
final class TaskDispatch implements Scheduler.Leases {
    private final Scheduler scheduler;
    private final Retries retries;
    private final WorkerPool pool;
    private final DependencyResolver resolver;
    private final TaskResults<?> results;
    private final WorkerSupervisor workers;
    private final String nodeIp;
    private final Consumer<TaskRecord> startActor;
    /** How many tasks a leased worker has at once: the one it runs and those queued behind it. */
    private final PipelineDepth depth;
    /** Task workers that run a normal task now, by kind: where {@link #pipeline} looks. */
    private final Map<WorkerKind, List<Worker>> leased = new HashMap<>();

    /**
     * @param startActor starts an actor whose creation was admitted ({@code ActorLifecycle.admitted})
     * @param delays     runs a retry's requeue after its backoff
     */
    TaskDispatch(Scheduler scheduler, WorkerPool pool, DependencyResolver resolver, TaskResults<?> results,
                 WorkerSupervisor workers, String nodeIp, Consumer<TaskRecord> startActor, Retries.Delays delays,
                 PipelineDepth depth) {
        this.depth = depth;
        this.scheduler = scheduler;
        this.retries = new Retries(scheduler, results, delays);
        this.pool = pool;
        this.resolver = resolver;
        this.results = results;
        this.workers = workers;
        this.nodeIp = nodeIp;
        this.startActor = startActor;
    }

    /** A task whose arguments are ready waits for a worker. */
    void enqueue(TaskRecord t) {
        scheduler.enqueue(t);
        schedule();
    }

    /** Leases idle workers to ready tasks (see {@link Scheduler#schedule}) and starts the workers wanted. */
    void schedule() {
        if (workers.stopping()) {
            return;
        }
        scheduler.schedule(this).forEach((kind, wanted) -> {
            int toStart = pool.toStart(kind, wanted);
            for (int i = 0; i < toStart; i++) {
                workers.start(kind);
            }
        });
        pool.sparesToStart().forEach((jobId, spares) -> {
            if (workers.jobAlive(jobId)) {
                for (int i = 0; i < spares; i++) {
                    workers.start(jobId);
                }
            }
        });
        // Workers of a job that die before they say hello (bad classpath, bad JVM option) fail its
        // tasks; workers started with a task's own JVM options, only the tasks that asked for them.
        pool.takeStartFailures().forEach((kind, lastFailure) -> {
            List<TaskRecord> failed = kind.plain() ? scheduler.removeJob(kind.jobId()) : scheduler.removeKind(kind);
            for (TaskRecord t : failed) {
                results.fail(t, Failures.workersDoNotStart(t, kind, lastFailure));
            }
        });
    }

    @Override
    public int actorStartsAllowed() {
        return Math.max(0, WorkerPool.MAX_STARTUP_CONCURRENCY - pool.startingWorkers());
    }

    @Override
    public boolean jobAlive(String jobId) {
        return workers.jobAlive(jobId);
    }

    @Override
    public boolean lease(TaskRecord t) {
        Worker w = pool.pollIdle(WorkerKind.of(t.spec()));
        if (w == null) {
            return false;
        }
        dispatch(t, w);
        return true;
    }

    /**
     * Behind the running task of a leased worker of the same shape, the one with the shortest
     * queue: the worker runs it next, with no round trip to the node between the two (see
     * {@link PipelineDepth}). Only tasks of the default strategy: a task placed on purpose
     * (SPREAD, a node) is leased its own worker.
     */
    @Override
    public boolean pipeline(TaskRecord t) {
        if (depth.tasks() <= 1 || !plainScheduling(t.spec())) {
            return false;
        }
        List<Worker> ofKind = leased.get(WorkerKind.of(t.spec()));
        if (ofKind == null) {
            return false;
        }
        Worker best = null;
        for (Worker w : ofKind) {
            TaskRecord running = w.current();
            if (running == null || w.dead() || w.pipelineClosed() || running.cpusLent()
                    || w.pipeline().size() >= depth.tasks() - 1 || !sameShape(running.spec(), t.spec())) {
                continue;
            }
            if (best == null || w.pipeline().size() < best.pipeline().size()) {
                best = w;
            }
        }
        if (best == null) {
            return false;
        }
        t.submittedTo(best.id(), best.pid());
        best.pipeline().add(t);
        best.send(WorkerCommand.newBuilder().setExecute(resolver.inline(t)).build());
        return true;
    }

    private static boolean plainScheduling(TaskSpec spec) {
        return !spec.hasScheduling() || spec.getScheduling().getStrategy() == Scheduling.Strategy.DEFAULT;
    }

    /** Whether a task takes over what the other held when it ends: the same resources. */
    private static boolean sameShape(TaskSpec a, TaskSpec b) {
        return Double.compare(a.getNumCpus(), b.getNumCpus()) == 0 && a.getMemory() == b.getMemory()
                && a.getResourcesMap().equals(b.getResourcesMap()) && plainScheduling(a);
    }

    @Override
    public void startActor(TaskRecord creation) {
        startActor.accept(creation);
    }

    /** Sends the task to the worker, which runs it from now on; a normal task holds its resources. */
    void dispatch(TaskRecord t, Worker w) {
        t.running(w.id(), w.pid());
        w.current(t);
        if (t.kind() == TaskKind.NORMAL) {
            scheduler.acquire(t.spec());
            leased.computeIfAbsent(w.kind(), k -> new ArrayList<>(2)).add(w);
        }
        TaskSpec spec = resolver.inline(t);
        if (t.kind() == TaskKind.ACTOR_CREATION && w.actor() != null && w.actor().restarts() > 0) {
            spec = spec.toBuilder().setActorRestarts(w.actor().restarts()).build();
        }
        w.send(WorkerCommand.newBuilder().setExecute(spec).build());
    }

    /** A task worker said hello: it takes the next ready task. */
    void idle(Worker w) {
        pool.idle(w);
        schedule();
        rebalance(w);
    }

    /** The worker runs no normal task any more: its lease ends. */
    private void unlease(Worker w) {
        List<Worker> ofKind = leased.get(w.kind());
        if (ofKind != null && ofKind.remove(w) && ofKind.isEmpty()) {
            leased.remove(w.kind());
        }
    }

    /**
     * The task a worker runs waits in get, or goes on: it lends its CPUs back, or takes them
     * again. A blocked task's worker takes no more tasks behind it (it gives back those it has
     * queued, see {@link #returned}) until that task ends.
     */
    void blocked(String workerId, boolean blocked) {
        Worker w = pool.get(workerId);
        TaskRecord t = w == null ? null : w.current();
        if (t != null && blocked) {
            w.closePipeline();
        }
        if (t != null && t.kind() == TaskKind.NORMAL && scheduler.lendCpus(t, blocked) && blocked) {
            schedule();
        }
    }

    /**
     * The worker gave back tasks it had queued and not started (its running task blocked, its JVM
     * is in doubt, or a task was cancelled before it started): they leave it and go to the head of
     * the ready queue as the same attempt; a cancelled one just leaves. A task the node no longer
     * thinks is there (it ended meanwhile) is ignored.
     */
    void returned(Worker w, TasksReturned r) {
        TasksReturned.Reason reason = r.getReason();
        if (reason == TasksReturned.Reason.BLOCKED || reason == TasksReturned.Reason.RETIRING) {
            w.closePipeline();
        }
        if (reason == TasksReturned.Reason.ASKED) {
            w.askedBack().clear(); // those not given back started meanwhile: they are the worker's now
        }
        List<TaskRecord> again = new ArrayList<>();
        for (TaskTaken ref : r.getTasksList()) {
            TaskRecord t = w.current();
            if (t != null && t.id().equals(ref.getTaskId()) && t.attempt() == ref.getAttempt()) {
                // the node took it for running (the one before it ended) but it had not started
                w.current(null);
                retries.leftUnrun(t);
                backFrom(w, t, again);
                promoteOrFree(w);
                continue;
            }
            for (Iterator<TaskRecord> it = w.pipeline().iterator(); it.hasNext(); ) {
                TaskRecord q = it.next();
                if (q.id().equals(ref.getTaskId()) && q.attempt() == ref.getAttempt()) {
                    it.remove();
                    backFrom(w, q, again);
                    break;
                }
            }
        }
        scheduler.putBack(again);
        schedule();
    }

    /** A task left its worker unrun: queued again, unless it was cancelled (its caller knows already). */
    private static void backFrom(Worker w, TaskRecord t, List<TaskRecord> again) {
        w.askedBack().remove(t);
        t.returnedUnrun();
        if (!t.cancelled() && !t.state().done()) {
            again.add(t);
        }
    }

    /**
     * The worker's running task ended: the next task queued behind it starts there (it takes over
     * the resources, of the same shape), or the worker is free again.
     */
    private void promoteOrFree(Worker w) {
        TaskRecord next = w.pipeline().poll();
        if (next != null) {
            w.askedBack().remove(next);
            if (!next.state().done()) { // a cancelled one stays until the worker gives it back or returns it
                next.running(w.id(), w.pid());
            }
            w.current(next);
            scheduler.acquire(next.spec());
            return;
        }
        unlease(w);
        if (!w.dead()) {
            pool.idle(w);
        }
    }

    /** Every task queued behind the running one goes back to the ready queue (the worker will not run them). */
    private void takeBackPipeline(Worker w) {
        List<TaskRecord> again = new ArrayList<>();
        for (TaskRecord q : w.pipeline()) {
            backFrom(w, q, again);
        }
        w.pipeline().clear();
        scheduler.putBack(again);
    }

    /**
     * A task worker returned its task; an answer for an attempt that ended already is dropped. A
     * worker whose task threw an Error that leaves its JVM in doubt (it says so in
     * {@code retire_reason}) is retired: it exits instead of taking the next task, which a new
     * worker runs.
     */
    void taskDone(Worker w, TaskDone done) {
        TaskRecord t = w.current();
        if (t == null || !t.id().equals(done.getTaskId()) || t.attempt() != done.getAttempt()) {
            return;
        }
        w.current(null);
        retries.returned(t, done);
        if (!done.getRetireReason().isEmpty()) {
            // it runs nothing more: what was queued behind it runs elsewhere (the worker gives it back too)
            takeBackPipeline(w);
            unlease(w);
            pool.retire(w);
        } else {
            promoteOrFree(w);
        }
        schedule();
        rebalance(w);
    }

    /**
     * A task worker that is idle after the ready queue was served takes work queued behind
     * another worker's running task of its kind: the node asks that worker, the one with the
     * longest queue, for the newest half of it (Ray's work stealing). Without it, a short task
     * queued behind a long one would wait for it while a worker idles.
     */
    private void rebalance(Worker idle) {
        if (idle.dead() || !idle.registered() || idle.actor() != null || idle.current() != null) {
            return;
        }
        List<Worker> ofKind = leased.get(idle.kind());
        if (ofKind == null) {
            return;
        }
        Worker most = null;
        int longest = 0;
        for (Worker w : ofKind) {
            int movable = w.pipeline().size() - w.askedBack().size();
            if (!w.dead() && movable > longest) {
                most = w;
                longest = movable;
            }
        }
        if (most == null || !scheduler.available().fits(most.pipeline().peekLast().spec())) {
            return; // nothing to take, or no room to run it here: it would only go behind a running task again
        }
        int take = (longest + 1) / 2;
        List<TaskRecord> newest = new ArrayList<>(take);
        for (Iterator<TaskRecord> it = most.pipeline().descendingIterator(); it.hasNext() && newest.size() < take; ) {
            TaskRecord t = it.next();
            if (!most.askedBack().contains(t)) {
                newest.add(t);
            }
        }
        GiveBack.Builder ask = GiveBack.newBuilder();
        for (TaskRecord t : newest) {
            most.askedBack().add(t);
            ask.addTasks(TaskTaken.newBuilder().setTaskId(t.id()).setAttempt(t.attempt()));
        }
        most.send(WorkerCommand.newBuilder().setGiveBack(ask).build());
    }

    /**
     * A task worker's process exited: the task it ran, if any, gets another attempt or ends. A
     * worker that lost its connection right after it sent the task's result, which never arrived,
     * ends the task at once: the node could not take that result in, and would not on a retry.
     */
    void workerDied(Worker w, WorkerExit exit) {
        TaskRecord t = w.current();
        // the tasks queued behind the running one never started: they run elsewhere, as the same attempt
        takeBackPipeline(w);
        unlease(w);
        if (t == null) {
            return;
        }
        w.current(null);
        if (w.memoryKill() != null) {
            retries.oomKilled(t, exit.brief(), () -> Failures.killedForMemory(t, w.memoryKill(), w));
            return;
        }
        Optional<Long> unreceived = exit.cause() == WorkerExit.Cause.CONNECTION_LOST
                ? exit.report().flatMap(r -> r.lastResultBytes(t.id(), t.attempt())) : Optional.empty();
        if (unreceived.isPresent()) {
            retries.workerDied(t, exit.brief(), Failures.resultTooLargeForNode(t, w, nodeIp, unreceived.get(),
                    exit.report().orElseThrow().status()));
            return;
        }
        retries.workerDied(t, exit.brief(), () -> Failures.workerCrashed(t, w, nodeIp, exit));
    }
}
