package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.internal.node.actor.ActorLifecycle;
import io.sonde.internal.node.actor.ActorRecord;
import io.sonde.internal.node.logs.LogRouter;
import io.sonde.internal.node.task.WorkerKind;
import io.sonde.internal.node.worker.LaunchRequest;
import io.sonde.internal.node.worker.Worker;
import io.sonde.internal.node.worker.WorkerExit;
import io.sonde.internal.node.worker.WorkerHandle;
import io.sonde.internal.node.worker.WorkerLauncher;
import io.sonde.internal.node.worker.WorkerOutput;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.proto.Exit;
import io.sonde.proto.WorkerCommand;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Starts the node's workers and keeps the books of their lives: mints their ids, routes their
 * output, launches their JVMs, registers them at their hello and writes them off at their exit.
 * What becomes of the work a worker ran is the node manager's to dispatch. Actors reach their
 * workers through it ({@link ActorLifecycle.Workers}).
 *
 * <pre>
 *   start ──launch──▶ in the pool, plug-ins told, exit watched ──hello──▶ registered ──exit──▶ exited
 *     ├──cannot launch──▶ the job's queued tasks give up (WorkerPool.launchFailed); an actor dies
 *     └──an actor, and its job has an idle worker──▶ that worker hosts it (no launch)
 * </pre>
 *
 * <p>Not thread-safe: called under the node's lock, except {@link #launched} and {@link #stop},
 * which a shutdown calls without it. A process exit goes to {@code onExit} on the node's send
 * pool, never under the lock.
 */
final class WorkerSupervisor implements ActorLifecycle.Workers {
    private static final WorkerCommand EXIT = WorkerCommand.newBuilder().setExit(Exit.getDefaultInstance()).build();

    private final String idPrefix;
    private final AtomicLong counter = new AtomicLong();
    /** The count of live workers at which the drivers are told next (see {@link #warnIfMany}); under the node's lock. */
    private int manyWorkers;
    private final double cpus;
    private final WorkerLauncher launcher;
    private final WorkerPool pool;
    private final LogRouter logs;
    private final WorkerOutput output;
    private final NodePlugins plugins;
    private final Function<String, Job> jobs;
    private final Executor exits;
    private final BiConsumer<Worker, Integer> onExit;
    private final Consumer<Worker> adopted;
    /** Every launched worker until its exit was handled, readable without the lock: a shutdown kills them. */
    private final Map<String, WorkerHandle> launched = new ConcurrentHashMap<>();
    /** The node stops: no worker starts, nor takes a task, any more. */
    private volatile boolean stopping;

    /**
     * @param idPrefix the node's, which worker ids carry after their {@code w}
     * @param jobs     the live job of an id, or null
     * @param exits    where {@code onExit} runs: off the node's lock
     * @param onExit   the node's handler of a worker's exit, with its exit code
     * @param adopted  runs the creation of an actor on the idle worker it took (as a hello does for
     *                 a worker started for it)
     */
    WorkerSupervisor(String idPrefix, WorkerLauncher launcher, WorkerPool pool, LogRouter logs, NodePlugins plugins,
                     Function<String, Job> jobs, Executor exits, BiConsumer<Worker, Integer> onExit,
                     Consumer<Worker> adopted, double cpus) {
        this.idPrefix = idPrefix;
        this.cpus = cpus;
        this.manyWorkers = Math.max(MANY_WORKERS, (int) Math.ceil(4 * cpus));
        this.launcher = launcher;
        this.pool = pool;
        this.logs = logs;
        this.output = logs::forward;
        this.plugins = plugins;
        this.jobs = jobs;
        this.exits = exits;
        this.onExit = onExit;
        this.adopted = adopted;
    }

    /** The first count of live workers that a driver is told of, unless 4 per CPU is more. */
    static final int MANY_WORKERS = 20;

    /**
     * The node's live workers reached the next threshold: the driver that just started one is
     * told, as Ray's "N worker processes have been started" warning, and the threshold doubles.
     * Each JVM costs memory, so a pool that grows without the user meaning it is worth a line.
     */
    private void warnIfMany(Job job) {
        int live = pool.size();
        if (live < manyWorkers || !job.logToDriver()) {
            return;
        }
        manyWorkers *= 2;
        tellDriver(job.jobId(), "warning: " + live + " worker processes have been started on this node (" + (cpus
                        == Math.rint(cpus) ? Long.toString((long) cpus) : Double.toString(cpus)) + " CPUs); each holds"
                        + " a JVM's memory. Every actor has a worker of its own, and a task blocked in get lets"
                        + " another worker start. If that is not what you meant, end the actors you are done with"
                        + " (handle.terminate() or Sonde.kill) or block less in tasks. (Told again at " + manyWorkers
                        + ".)");
    }

    /** Under the node's lock. */
    @Override
    public void tellDriver(String jobId, String line) {
        Job job = jobs.apply(jobId);
        if (job != null && job.logToDriver()) {
            job.driver().send(nodeLine(logs.nodeIp(), line)); // only enqueues
        }
    }

    /** A line from the node manager itself, as drivers print it: {@code (node-manager, node=IP) ...}. */
    static io.sonde.proto.NodeMessage nodeLine(String nodeIp, String line) {
        return io.sonde.proto.NodeMessage.newBuilder().setLogs(io.sonde.proto.LogBatch.newBuilder()
                .setWorkerId("node-manager").setTaskName("node-manager").setNodeIp(nodeIp).setStderr(true)
                .addLines(line)).build();
    }

    /** Launches a plain worker (the job's JVM options only) for the tasks of a live job. */
    void start(String jobId) {
        start(WorkerKind.plain(jobId));
    }

    /** Launches a worker of that kind (a live job's, with the tasks' own JVM options after the job's) for its tasks. */
    void start(WorkerKind kind) {
        start(jobs.apply(kind.jobId()), kind, null);
    }

    /**
     * Launches a worker of the job, started with the kind's JVM options after the job's, for the
     * actor when it is not null. Returns why the JVM could not be launched; the queued tasks that
     * wanted that kind of worker give up then.
     */
    private Optional<String> start(Job job, WorkerKind kind, ActorRecord actor) {
        String workerId = "w" + idPrefix + Long.toHexString(0x100 + counter.incrementAndGet());
        // before the launch: the worker may print before launch returns
        logs.open(workerId, job.logToDriver(), job.driver()::send);
        try {
            List<String> jvmOptions = new ArrayList<>(job.jvmOptions());
            jvmOptions.addAll(kind.jvmOptions()); // after the job's: the JVM takes the last -Xmx
            WorkerHandle handle = launcher.launch(new LaunchRequest(workerId, job.jobId(), job.classpath(),
                    jvmOptions, job.workingDir(), plugins.workerJvmOptions()), output);
            Worker w = new Worker(handle, kind, actor);
            pool.add(w);
            warnIfMany(job);
            plugins.workerStarted(w);
            if (actor != null) {
                actor.hostedBy(workerId, handle.pid());
            }
            launched.put(workerId, handle);
            // async: an exit that already happened must not run its handler here, under the lock
            handle.exit().thenAcceptAsync(exitCode -> onExit.accept(w, exitCode), exits);
            return Optional.empty();
        } catch (IOException e) {
            logs.close(workerId);
            String failure = "the worker JVM could not be launched: " + e.getMessage();
            pool.launchFailed(kind, failure);
            return Optional.of(failure);
        }
    }

    /**
     * A worker said hello on its Attach stream: commands go to {@code commands} from now on, and
     * the plug-ins' go first. Returns null, having told it to exit, when it is unknown, exited, or
     * its job ended and it is being stopped.
     */
    Worker hello(String workerId, StreamObserver<WorkerCommand> commands) {
        Worker w = pool.get(workerId);
        if (w == null || w.dead() || jobs.apply(w.jobId()) == null) {
            commands.onNext(EXIT);
            commands.onCompleted();
            return null;
        }
        w.registered(commands);
        // before any task: what a plug-in sends now reaches the worker before its first task
        plugins.workerHello(w);
        pool.helloFrom(w);
        return w;
    }

    /**
     * The worker's process exited: it leaves the pool and its output's route closes. A task worker
     * of a live job that ended before its hello counts as a start failure, described with the end
     * of its stderr (read off the lock, with the rest of {@code exit}).
     */
    void exited(Worker w, WorkerExit exit) {
        launched.remove(w.id());
        String startFailure = null;
        if (!w.registered() && w.actor() == null && !stopping && jobs.apply(w.jobId()) != null) {
            startFailure = Failures.startFailure(exit.exitCode(), w.handle().errLog(), exit.errTail());
        }
        w.markDead();
        pool.exited(w, startFailure);
        plugins.workerExited(w);
        logs.close(w.id());
    }

    /** The node stops: from now on no worker starts, nor takes a task. Without the lock. */
    void stop() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    /** The workers launched whose exit was not handled yet. Without the lock. */
    Collection<WorkerHandle> launched() {
        return launched.values();
    }

    @Override
    public boolean jobAlive(String jobId) {
        return jobs.apply(jobId) != null;
    }

    /**
     * The actor takes an idle worker of its job (a spare, see {@link WorkerPool#sparesToStart}),
     * which runs its creation at once; only when there is none, or the actor has JVM options of
     * its own ({@code jvmOptions}), does a JVM start for it.
     */
    @Override
    public Optional<String> start(ActorRecord a) {
        WorkerKind kind = WorkerKind.of(a.creation().spec());
        if (!kind.plain()) {
            return start(jobs.apply(a.jobId()), kind, a);
        }
        Worker idle = pool.adoptIdle(a.jobId());
        if (idle != null) {
            idle.host(a);
            a.hostedBy(idle.id(), idle.pid());
            adopted.accept(idle);
            return Optional.empty();
        }
        return start(jobs.apply(a.jobId()), kind, a);
    }

    @Override
    public void send(String workerId, WorkerCommand command) {
        pool.get(workerId).send(command); // an alive actor's worker is in the pool; only enqueues
    }

    @Override
    public void kill(String workerId) {
        pool.kill(workerId);
    }
}
