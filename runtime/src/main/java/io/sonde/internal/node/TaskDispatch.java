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
import io.sonde.proto.TaskDone;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;
import io.sonde.proto.WorkerCommand;

import java.util.List;
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

    /**
     * @param startActor starts an actor whose creation was admitted ({@code ActorLifecycle.admitted})
     * @param delays     runs a retry's requeue after its backoff
     */
    TaskDispatch(Scheduler scheduler, WorkerPool pool, DependencyResolver resolver, TaskResults<?> results,
                 WorkerSupervisor workers, String nodeIp, Consumer<TaskRecord> startActor, Retries.Delays delays) {
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
    }

    /** The task a worker runs waits in get, or goes on: it lends its CPUs back, or takes them again. */
    void blocked(String workerId, boolean blocked) {
        Worker w = pool.get(workerId);
        TaskRecord t = w == null ? null : w.current();
        if (t != null && t.kind() == TaskKind.NORMAL && scheduler.lendCpus(t, blocked) && blocked) {
            schedule();
        }
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
            pool.retire(w);
        } else if (!w.dead()) {
            pool.idle(w);
        }
        schedule();
    }

    /**
     * A task worker's process exited: the task it ran, if any, gets another attempt or ends. A
     * worker that lost its connection right after it sent the task's result, which never arrived,
     * ends the task at once: the node could not take that result in, and would not on a retry.
     */
    void workerDied(Worker w, WorkerExit exit) {
        TaskRecord t = w.current();
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
