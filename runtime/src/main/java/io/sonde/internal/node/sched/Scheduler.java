package io.sonde.internal.node.sched;

import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.WorkerKind;
import io.sonde.internal.node.task.TaskState;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which ready task runs next: the ready queue in submission order, admission by the
 * node's free CPUs, memory and custom resources, and the resources tasks and actors hold. An
 * actor's creation waits in the same queue: it is admitted when the resources it holds for its
 * life fit, as a task is.
 *
 * <pre>
 *   enqueue ──▶ readyQueue ──schedule()──▶ fits the free resources? ──no──▶ stays (smaller ones pass)
 *                                                  │ yes
 *                                                  ▼
 *               a task: Leases.lease: an idle worker of the job ──none──▶ workers wanted
 *   (does not fit: a normal task goes behind a leased worker's running task of its shape, Leases.pipeline)
 *               an actor's creation: Leases.startActor (it takes its resources and its own worker)
 * </pre>
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock.
 */
public final class Scheduler {
    private static final double EPSILON = 1e-9;

    /** How the scheduler reaches workers; implemented by the node manager. */
    public interface Leases {
        /** False when the task's job ended: the task leaves the queue. */
        boolean jobAlive(String jobId);

        /** Leases an idle worker of the task's job to it and sends it there; false when none is idle. */
        boolean lease(TaskRecord t);

        /**
         * The node's resources are all held: sends the normal task to a worker already leased to a
         * task of the same shape (job, JVM options, resources), behind it, when one has room in its
         * pipeline; false when none has.
         */
        boolean pipeline(TaskRecord t);

        /**
         * The actor's creation fits: the actor takes its resources ({@link #acquire}) and starts
         * its worker. Called after the queue was walked, so it may enqueue.
         */
        void startActor(TaskRecord creation);

        /**
         * How many more actors may start their worker JVM now: creations beyond it wait in the
         * queue for a starting worker's hello (a JVM start is CPU-bound, and hundreds at once on a
         * few cores starve each other and the node past their registration deadline).
         */
        int actorStartsAllowed();
    }

    private final ResourceSet total;
    private final ResourceSet available;
    private final ArrayDeque<TaskRecord> readyQueue = new ArrayDeque<>();
    /** Tasks in the ready queue that need no CPU: the scheduler scans past full nodes only for them. */
    private int zeroCpuTasksQueued;

    public Scheduler(ResourceSet total) {
        this.total = total;
        this.available = total.copy();
    }

    public ResourceSet total() {
        return total;
    }

    /** What is free now; read it, do not change it. */
    public ResourceSet available() {
        return available;
    }

    public double cpusUsed() {
        return total.cpus() - available.cpus();
    }

    /** Appends a task whose arguments are ready, or an actor's creation that waits for its resources. */
    public void enqueue(TaskRecord t) {
        t.state(TaskState.PENDING_SCHEDULING);
        t.queuedAtNanos(System.nanoTime());
        queued(t, 1);
        readyQueue.add(t);
    }

    /** Puts a task that will try again at the head of the queue, as its next attempt. */
    public void requeueFirst(TaskRecord t) {
        t.nextAttempt();
        t.state(TaskState.PENDING_SCHEDULING);
        t.queuedAtNanos(System.nanoTime());
        queued(t, 1);
        readyQueue.addFirst(t);
    }

    /**
     * Puts tasks a worker gave back unrun at the head of the queue, in their order, as the same
     * attempt: they never started.
     */
    public void putBack(List<TaskRecord> returned) {
        for (int i = returned.size() - 1; i >= 0; i--) {
            TaskRecord t = returned.get(i);
            t.state(TaskState.PENDING_SCHEDULING);
            t.queuedAtNanos(System.nanoTime());
            queued(t, 1);
            readyQueue.addFirst(t);
        }
    }

    /**
     * The queued tasks and actor creations that have waited at least {@code nanos} (by {@code now})
     * and whose resources are not free now: they wait for running work to give them back, not for
     * a worker to start. In queue order.
     */
    public List<TaskRecord> waitingForResources(long nanos, long now) {
        List<TaskRecord> waiting = new ArrayList<>();
        for (TaskRecord t : readyQueue) {
            if (now - t.queuedAtNanos() >= nanos && !available.fits(t.spec())) {
                waiting.add(t);
            }
        }
        return waiting;
    }

    /** Takes a task out of the queue; false when it was not queued. */
    public boolean remove(TaskRecord t) {
        if (readyQueue.remove(t)) {
            queued(t, -1);
            return true;
        }
        return false;
    }

    /** Takes the queued tasks of a job out of the queue and returns them, in queue order. */
    public List<TaskRecord> removeJob(String jobId) {
        return removeWhere(t -> t.jobId().equals(jobId));
    }

    /** Takes the queued normal tasks that want that kind of worker out of the queue and returns them, in queue order. */
    public List<TaskRecord> removeKind(WorkerKind kind) {
        return removeWhere(t -> t.kind() == TaskKind.NORMAL && WorkerKind.of(t.spec()).equals(kind));
    }

    private List<TaskRecord> removeWhere(java.util.function.Predicate<TaskRecord> which) {
        List<TaskRecord> removed = new ArrayList<>();
        for (Iterator<TaskRecord> it = readyQueue.iterator(); it.hasNext(); ) {
            TaskRecord t = it.next();
            if (which.test(t)) {
                it.remove();
                queued(t, -1);
                removed.add(t);
            }
        }
        return removed;
    }

    /**
     * Leases idle workers of each task's job to ready tasks whose resources fit, in submission
     * order (smaller tasks may pass a larger one that does not fit yet). Returns, per kind of
     * worker (a job, and the JVM options its tasks asked for), how many tasks fit but found no
     * idle worker: the workers to start.
     */
    public Map<WorkerKind, Integer> schedule(Leases leases) {
        ResourceSet budget = available.copy();
        Map<WorkerKind, Integer> wanted = new LinkedHashMap<>();
        List<TaskRecord> actors = new ArrayList<>();
        int actorRoom = -1; // asked only when a creation is queued
        for (Iterator<TaskRecord> it = readyQueue.iterator(); it.hasNext(); ) {
            TaskRecord t = it.next();
            if (!leases.jobAlive(t.jobId())) {
                it.remove();
                queued(t, -1);
                continue;
            }
            if (t.kind() == TaskKind.ACTOR_CREATION) {
                if (actorRoom < 0) {
                    actorRoom = leases.actorStartsAllowed();
                }
                if (actors.size() >= actorRoom) {
                    continue; // waits for a starting worker's hello
                }
            }
            if (!budget.fits(t.spec())) {
                if (t.kind() == TaskKind.NORMAL && leases.pipeline(t)) {
                    it.remove();
                    queued(t, -1);
                    continue;
                }
                if (budget.cpus() < EPSILON && zeroCpuTasksQueued == 0) {
                    break; // nothing further down the queue can fit either
                }
                continue;
            }
            budget.take(t.spec());
            if (t.kind() == TaskKind.ACTOR_CREATION) {
                it.remove();
                queued(t, -1);
                actors.add(t);
            } else if (leases.lease(t)) {
                it.remove();
                queued(t, -1);
            } else {
                wanted.merge(WorkerKind.of(t.spec()), 1, Integer::sum);
            }
        }
        actors.forEach(leases::startActor);
        return wanted;
    }

    /** A task or an actor starts holding its resources. */
    public void acquire(TaskSpec spec) {
        available.take(spec);
    }

    /** Gives back what a task or actor held; its CPUs only if it did not lend them already. */
    public void release(TaskSpec spec, boolean cpusToo) {
        available.give(spec, cpusToo);
    }

    /**
     * A running task waits in get ({@code blocked}) or goes on: it lends its CPUs back or takes
     * them again, otherwise nested tasks would deadlock a full node. Returns whether it changed.
     */
    public boolean lendCpus(TaskRecord t, boolean blocked) {
        if (t.cpusLent() == blocked) {
            return false;
        }
        t.cpusLent(blocked);
        available.addCpus(blocked ? t.cpus() : -t.cpus());
        return true;
    }

    private void queued(TaskRecord t, int delta) {
        if (t.cpus() < EPSILON) {
            zeroCpuTasksQueued += delta;
        }
    }
}
