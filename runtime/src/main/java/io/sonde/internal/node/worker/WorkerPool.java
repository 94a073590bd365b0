package io.sonde.internal.node.worker;

import io.sonde.internal.node.task.WorkerKind;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.proto.Exit;
import io.sonde.proto.Interrupt;
import io.sonde.proto.WorkerCommand;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The node's workers: all of them by id, and per job the idle ones (fresh ones first, then the
 * rest least recently used first), and per {@link WorkerKind} (the job's plain workers, and those
 * started with a task's own JVM options) how many are starting and whether they keep dying
 * before they say hello. A task is leased only a worker of its own kind.
 *
 * <pre>
 *   add ──▶ starting ──hello──▶ idle ◀──▶ leased (pollIdle) ──▶ ... ──exited──▶ gone
 *                                 │  │                         └── its task left the JVM in doubt ──▶ retire
 *                                 │  └── adopted by an actor (adoptIdle): its host until it exits
 *                                 └── idle longer than the timeout, more than the node's CPUs ──▶ reap
 * </pre>
 *
 * <p>Each job that asked for a worker keeps its spares ({@link #sparesToStart}) idle or starting,
 * as Ray prestarts workers: a retry after a crash does not wait for a JVM to start.
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock.
 */
public final class WorkerPool {
    /**
     * Worker JVMs the node starts at once for actors (as Ray's maximum_startup_concurrency): its
     * processors, at least 2. More actors wait for one of those to say hello.
     */
    public static final int MAX_STARTUP_CONCURRENCY = Math.max(2, Runtime.getRuntime().availableProcessors());
    /**
     * Task workers a job may have starting at once, per kind (its plain workers, and each set of
     * a task's own JVM options): a burst of tasks does not start a JVM each.
     */
    public static final int MAX_CONCURRENT_STARTS_PER_JOB = 4;
    /** Workers of a job that may die before their hello before its queued tasks fail. */
    public static final int START_FAILURES_BEFORE_GIVING_UP = 3;
    /** How long a worker beyond the node's CPUs may stay idle before it is told to exit, by default. */
    public static final long DEFAULT_IDLE_WORKER_TIMEOUT_MS = 10_000;
    /** The system property, then the environment variable, that set that time (as Ray's idle_worker_killing_time_threshold_ms). */
    public static final String IDLE_TIMEOUT_PROPERTY = "sonde.idleWorkerTimeoutMs";
    public static final String IDLE_TIMEOUT_ENV = "SONDE_IDLE_WORKER_TIMEOUT_MS";

    /** A job's share of the pool. */
    private static final class JobWorkers {
        final ArrayDeque<Worker> idle = new ArrayDeque<>();
        /** The job asked for a worker once: from then on it keeps its spares. */
        boolean ranWork;
        /** By the workers' own JVM options (none: the plain workers). */
        final Map<List<String>, Starts> kinds = new HashMap<>();

        Starts of(Worker w) {
            return of(w.kind().jvmOptions());
        }

        Starts of(List<String> jvmOptions) {
            return kinds.computeIfAbsent(jvmOptions, k -> new Starts());
        }
    }

    /** The task workers of one kind of a job that are starting, and how their starts went. */
    private static final class Starts {
        int starting;
        int consecutiveStartFailures;
        String lastStartFailure = "";
    }

    private static final WorkerCommand EXIT = WorkerCommand.newBuilder().setExit(Exit.getDefaultInstance()).build();

    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final Map<String, JobWorkers> jobs = new HashMap<>();
    private final int spares;
    private final long idleTimeoutNanos;

    /** @param spares idle workers each job that asked for one keeps started ahead of need */
    public WorkerPool(int spares) {
        this(spares, idleTimeoutMs(System.getProperty(IDLE_TIMEOUT_PROPERTY, System.getenv(IDLE_TIMEOUT_ENV))));
    }

    WorkerPool(int spares, long idleTimeoutMs) {
        this.spares = spares;
        this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    }

    /**
     * The idle time {@code setting} gives ({@link #IDLE_TIMEOUT_ENV}), or the default when it is null.
     *
     * @throws IllegalArgumentException it is not a whole number of milliseconds, 0 or more
     */
    static long idleTimeoutMs(String setting) {
        if (setting == null || setting.isBlank()) {
            return DEFAULT_IDLE_WORKER_TIMEOUT_MS;
        }
        try {
            long ms = Long.parseLong(setting.strip());
            if (ms >= 0) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(IDLE_TIMEOUT_ENV + " (or -D" + IDLE_TIMEOUT_PROPERTY + ") must be a whole"
                + " number of milliseconds, 0 or more, that a worker beyond the node's CPUs may stay idle; got \""
                + setting + "\" (the default is " + DEFAULT_IDLE_WORKER_TIMEOUT_MS + ")");
    }

    public void addJob(String jobId) {
        jobs.put(jobId, new JobWorkers());
    }

    /** Forgets a job that ended; returns its workers, still in the pool until they exit. */
    public List<Worker> removeJob(String jobId) {
        jobs.remove(jobId);
        List<Worker> of = new ArrayList<>();
        for (Worker w : workers.values()) {
            if (w.jobId().equals(jobId)) {
                of.add(w);
            }
        }
        return of;
    }

    /** A worker was launched; one of a job's task workers counts as starting until its hello. */
    public void add(Worker w) {
        workers.put(w.id(), w);
        JobWorkers j = jobs.get(w.jobId());
        if (w.actor() == null && j != null) {
            j.of(w).starting++;
        }
    }

    /** The worker, or null when it exited or never was. */
    public Worker get(String workerId) {
        return workers.get(workerId);
    }

    /** The workers that said hello and have not exited. */
    public List<Worker> ready() {
        return workers.values().stream().filter(w -> w.registered() && !w.dead()).toList();
    }

    /** Kills the worker, if it has not exited. */
    public void kill(String workerId) {
        Worker w = workers.get(workerId);
        if (w != null) {
            w.kill();
        }
    }

    /**
     * Stops a cancelled task where it runs: interrupts it, or with {@code kill} kills its worker.
     * A task queued on its worker behind another is never killed with it: the interrupt takes it
     * out of the worker's queue (the worker gives it back unrun). Nothing when its worker is gone
     * already. Only enqueues or signals the process.
     */
    public void stop(TaskRecord t, boolean kill) {
        Worker w = workers.get(t.workerId());
        if (w == null) {
            return;
        }
        if (kill && w.current() == t) {
            w.kill();
        } else {
            w.send(WorkerCommand.newBuilder().setInterrupt(Interrupt.newBuilder().setTaskId(t.id())).build());
        }
    }

    /**
     * Whether the task is still on a live worker: a normal task until its worker returns it or
     * exits, an actor call until its actor's worker returns it or exits.
     */
    public boolean runs(TaskRecord t) {
        Worker w = t.workerId().isEmpty() ? null : workers.get(t.workerId());
        return w != null && !w.dead() && (w.actor() != null || w.holds(t));
    }

    public Collection<Worker> all() {
        return workers.values();
    }

    /** Workers launched that have not said hello yet, of every job. */
    public int startingWorkers() {
        int n = 0;
        for (Worker w : workers.values()) {
            if (!w.registered() && !w.dead()) {
                n++;
            }
        }
        return n;
    }

    public int size() {
        return workers.size();
    }

    /** How many workers of that kind to start for {@code wanted} tasks that found none idle. */
    public int toStart(WorkerKind kind, int wanted) {
        JobWorkers j = jobs.get(kind.jobId());
        if (j == null) {
            return 0;
        }
        j.ranWork = true;
        return Math.min(wanted, MAX_CONCURRENT_STARTS_PER_JOB) - j.of(kind.jvmOptions()).starting;
    }

    /**
     * How many workers to start so that each job that asked for a worker has its spares idle or
     * starting: a task retried after its worker crashed, or an actor restarted, takes one at
     * once instead of waiting about 2.5 s for a JVM. Not while a job's workers fail to start.
     */
    public Map<String, Integer> sparesToStart() {
        Map<String, Integer> toStart = Map.of(); // runs at each scheduling: allocates only when a spare is missing
        for (Map.Entry<String, JobWorkers> e : jobs.entrySet()) {
            JobWorkers j = e.getValue();
            Starts plain = j.of(List.of());
            int idlePlain = 0;
            for (Worker w : j.idle) {
                if (w.kind().plain()) {
                    idlePlain++;
                }
            }
            int missing = spares - idlePlain - plain.starting;
            if (j.ranWork && missing > 0 && plain.consecutiveStartFailures == 0) {
                if (toStart.isEmpty()) {
                    toStart = new LinkedHashMap<>();
                }
                toStart.put(e.getKey(), missing);
            }
        }
        return toStart;
    }

    /**
     * An actor is created or restarted: it takes, for good, an idle plain worker of its job that
     * never ran a task (a fresh JVM, as one started for it: no statics a task set, no work a task
     * submitted that would make the actor's host its owner too); null when there is none. An
     * actor with JVM options of its own never adopts one: a worker is started for it.
     */
    public Worker adoptIdle(String jobId) {
        JobWorkers j = jobs.get(jobId);
        if (j == null) {
            return null;
        }
        j.ranWork = true;
        for (Iterator<Worker> it = j.idle.descendingIterator(); it.hasNext(); ) {
            Worker w = it.next();
            if (!w.ranTasks() && w.kind().plain()) {
                it.remove();
                return w;
            }
        }
        return null;
    }

    /** The worker said hello: the job's workers start fine; a task worker stops counting as starting. */
    public void helloFrom(Worker w) {
        JobWorkers j = jobs.get(w.jobId());
        if (j == null) {
            return;
        }
        Starts starts = j.of(w);
        starts.consecutiveStartFailures = 0;
        if (w.actor() == null) {
            starts.starting--;
        }
    }

    /**
     * A task worker is free for its job's next task. One that ran tasks goes last (it is taken
     * first, its JIT warm); a fresh one, as the spare at its hello, goes first: queued last, it
     * took the next task, and the job's warm worker became the spare while a cold JVM ran its
     * tasks.
     */
    public void idle(Worker w) {
        w.idleSince(System.nanoTime());
        JobWorkers j = jobs.get(w.jobId());
        if (j == null) {
            return;
        }
        if (w.ranTasks()) {
            j.idle.addLast(w);
        } else {
            j.idle.addFirst(w);
        }
    }

    /**
     * The worker must not run another task (its JVM is in doubt): it is told to exit and leaves
     * the pool when it has. Only enqueues.
     */
    public void retire(Worker w) {
        w.send(EXIT);
        w.closeCommands();
    }

    /**
     * An idle worker leaves its job's idle list and is told to exit: the memory monitor frees
     * what it holds (a JVM keeps the heap a task grew), and it runs nothing, so nothing is lost.
     * False when it is not idle any more. Only enqueues.
     */
    public boolean releaseIdle(Worker w) {
        JobWorkers j = jobs.get(w.jobId());
        if (j == null || !j.idle.remove(w)) {
            return false;
        }
        w.send(EXIT);
        w.closeCommands();
        return true;
    }

    /**
     * The idle worker of that kind (its job, started with the same JVM options) used last (its
     * JIT is warm), out of the idle list; or null.
     */
    public Worker pollIdle(WorkerKind kind) {
        JobWorkers j = jobs.get(kind.jobId());
        if (j == null) {
            return null;
        }
        j.ranWork = true;
        for (Iterator<Worker> it = j.idle.descendingIterator(); it.hasNext(); ) {
            Worker w = it.next();
            if (w.kind().jvmOptions().equals(kind.jvmOptions())) {
                it.remove();
                return w;
            }
        }
        return null;
    }

    /**
     * The worker's process exited: it leaves the pool. {@code startFailure}, when not null, says
     * why a task worker of a live job ended before its hello: enough of those in a row give up.
     */
    public void exited(Worker w, String startFailure) {
        workers.remove(w.id());
        JobWorkers j = jobs.get(w.jobId());
        if (j == null) {
            return;
        }
        j.idle.remove(w);
        if (!w.registered() && w.actor() == null) {
            Starts starts = j.of(w);
            starts.starting--;
            if (startFailure != null) {
                starts.consecutiveStartFailures++;
                starts.lastStartFailure = startFailure;
            }
        }
    }

    /** A worker of that kind could not even be launched: give up on the tasks queued for it at once. */
    public void launchFailed(WorkerKind kind, String failure) {
        JobWorkers j = jobs.get(kind.jobId());
        if (j != null) {
            Starts starts = j.of(kind.jvmOptions());
            starts.consecutiveStartFailures = START_FAILURES_BEFORE_GIVING_UP;
            starts.lastStartFailure = failure;
        }
    }

    /** The last start failure of the job's plain workers, for errors. */
    public String lastStartFailure(String jobId) {
        JobWorkers j = jobs.get(jobId);
        return j == null ? "" : j.of(List.of()).lastStartFailure;
    }

    /**
     * The kinds of workers that die before they start, each with the last failure; their counts
     * start again from 0, so the node gives up on what is queued for them now and tries again for
     * later tasks. Workers started with a task's bad JVM option fail only the tasks that asked for it.
     */
    public Map<WorkerKind, String> takeStartFailures() {
        Map<WorkerKind, String> failing = new LinkedHashMap<>();
        jobs.forEach((jobId, j) -> j.kinds.forEach((options, starts) -> {
            if (starts.consecutiveStartFailures >= START_FAILURES_BEFORE_GIVING_UP) {
                failing.put(new WorkerKind(jobId, options), starts.lastStartFailure);
                starts.consecutiveStartFailures = 0;
            }
        }));
        return failing;
    }

    /**
     * The node stops: each worker that said hello is told to exit after what it was sent so far;
     * with {@code force}, and for the workers that have not said hello (they ran no task and
     * printed nothing worth waiting for), the returned stop kills them instead. Only enqueues.
     */
    public WorkerStop stopAll(boolean force) {
        List<WorkerHandle> all = new ArrayList<>();
        List<WorkerHandle> toKill = new ArrayList<>();
        for (Worker w : workers.values()) {
            all.add(w.handle());
            if (force || !w.registered()) {
                toKill.add(w.handle());
            } else {
                w.send(EXIT);
                w.closeCommands();
            }
        }
        return new WorkerStop(all, toKill);
    }

    /**
     * Tells the workers idle for longer than the timeout to exit, keeping {@code keep} per job:
     * bursts of nested tasks start many workers, and each holds a JVM's worth of memory. They
     * leave the idle lists now and the pool when they have exited. A worker whose client still
     * owns work ({@code owns}: tasks it submitted that are not done, actors it created) stays, as
     * a Ray worker that owns objects refuses to exit: its exit would end that work. Only enqueues.
     */
    public void reap(int keep, Predicate<Worker> owns) {
        long now = System.nanoTime();
        for (JobWorkers j : jobs.values()) {
            int excess = j.idle.size() - keep;
            for (Iterator<Worker> it = j.idle.iterator(); excess > 0 && it.hasNext(); ) {
                Worker w = it.next();
                if (now - w.idleSinceNanos() <= idleTimeoutNanos || owns.test(w)) {
                    continue; // fresh workers first, then the warm ones, least recently used first
                }
                it.remove();
                excess--;
                w.send(EXIT);
                w.closeCommands();
            }
        }
    }
}
