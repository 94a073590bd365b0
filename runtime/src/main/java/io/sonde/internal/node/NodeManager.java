package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.internal.head.Head;
import io.sonde.internal.node.actor.ActorDirectory;
import io.sonde.internal.node.actor.ActorLifecycle;
import io.sonde.internal.node.actor.ActorRecord;
import io.sonde.internal.node.logs.LogRouter;
import io.sonde.internal.node.object.DependencyResolver;
import io.sonde.internal.node.object.InlineObjectStore;
import io.sonde.internal.node.object.ObjectStore;
import io.sonde.internal.node.object.TaskResults;
import io.sonde.internal.node.sched.Cancellation;
import io.sonde.internal.node.sched.ResourceSet;
import io.sonde.internal.node.sched.Retries;
import io.sonde.internal.node.sched.Scheduler;
import io.sonde.internal.node.task.Attempt;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.internal.node.worker.ExitDetail;
import io.sonde.internal.node.worker.LaunchRequest;
import io.sonde.internal.node.worker.Worker;
import io.sonde.internal.node.worker.WorkerHandle;
import io.sonde.internal.node.worker.WorkerLauncher;
import io.sonde.internal.node.worker.WorkerOutput;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.internal.proto.ActorInfo;
import io.sonde.internal.proto.CancelTask;
import io.sonde.internal.proto.ClientMessage;
import io.sonde.internal.proto.ClusterStatus;
import io.sonde.internal.proto.Exit;
import io.sonde.internal.proto.NamedActorReply;
import io.sonde.internal.proto.NodeMessage;
import io.sonde.internal.proto.PluginMessage;
import io.sonde.internal.proto.ObjectValue;
import io.sonde.internal.proto.RegisterClient;
import io.sonde.internal.proto.Registered;
import io.sonde.internal.proto.TaskDone;
import io.sonde.internal.proto.TaskInfo;
import io.sonde.internal.proto.TaskKind;
import io.sonde.internal.proto.TaskSpec;
import io.sonde.internal.proto.WorkerCommand;
import io.sonde.internal.proto.WorkerInfo;
import io.sonde.internal.proto.WorkerMessage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs the work of one node: schedules tasks on workers it starts, keeps the objects, drives
 * actors through their lifecycle, turns worker deaths into retries or failures, and relays worker
 * output to drivers. A facade: it owns the node's one lock and dispatches each message to the
 * parts that keep the state, which are plain objects it calls under that lock.
 *
 * <pre>
 *   TaskTable           the tasks and their attempts          (task)
 *   Scheduler           ready queue, admission, resources     (sched)
 *   WorkerPool          workers, idle per job, starts, reaping (worker; WorkerLauncher starts them)
 *   ActorDirectory      actors and their calls                (actor)
 *   ObjectStore         values, owners, subscribers           (object; DependencyResolver: args)
 *   LogRouter           worker output to the job's driver     (logs)
 *   NodePlugins         the plug-ins (the debugger's node side): hooks, messages, services
 * </pre>
 *
 * <h2>How a task flows</h2>
 * <pre>
 *  client ─submit─▶ onSubmit ─(args pending)─▶ DependencyResolver: waits on each missing object
 *                        │                              │ objectReady
 *                        ▼                              ▼
 *               Scheduler.enqueue ──schedule()──▶ WorkerPool: idle worker of the job (or start one)
 *                                                       │ dispatch: execute (args inlined)
 *  owner ◀─ready─ objectReady ◀─ complete ◀─ onTaskDone ◀┘
 *                 (ObjectStore)      ▲
 *                 onWorkerExit ──────┘ (retry: Scheduler.requeueFirst; else WorkerCrashedException)
 * </pre>
 *
 * <h2>Thread safety</h2>
 * All state is guarded by one lock. Messages from clients and workers arrive on transport
 * threads, process exits on the node's send pool; each takes the lock, updates the parts and
 * sends. A send only enqueues: each connection delivers on its own serial executor
 * ({@link SerialObserver}), so the node never calls into a client session, a worker stream or an
 * in-process driver while it holds its lock, and no lock order spans the node and its peers.
 * Slow work (reading /proc, log files, waiting for log pumps) happens before or after the lock.
 * {@link #shutdown} waits for the lock only for a bounded time.
 *
 * <h2>Pitfalls</h2>
 * A cancelled running task keeps its worker until the worker returns: its result is dropped.
 * A worker waiting in {@code get} lends its CPUs back ({@link Scheduler#lendCpus}), otherwise
 * nested tasks would deadlock a full node.
 */
public final class NodeManager {
    private static final long SHUTDOWN_WAIT_SECONDS = 5;
    private static final int ID_PREFIX_LENGTH = 6;

    /** The node's one lock: every part's state is guarded by it. Timed waits only in {@link #shutdown}. */
    private final ReentrantLock lock = new ReentrantLock();
    private final NodeConfig config;
    private final Head head;
    private final WorkerLauncher launcher;
    /**
     * The first characters of the node's id, in every id this node mints: client ids start with it,
     * worker ids follow their {@code w} with it, and task and object ids start with their client's
     * id. So ids stay unique across the nodes of a cluster, and remain words of hex digits that
     * are easy to select and type. Nothing parses ids.
     */
    private final String idPrefix;
    private final AtomicLong clientCounter = new AtomicLong();
    private final AtomicLong workerCounter = new AtomicLong();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sonde-idle-reaper");
        t.setDaemon(true);
        return t;
    });
    /**
     * Threads that deliver the node's messages, each connection on its own serial executor over
     * this pool (see {@link SerialObserver}), and that handle worker exits: never under the lock.
     */
    private final ExecutorService sendPool = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicLong count = new AtomicLong();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "sonde-node-send-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });
    /** Every launched worker until its exit was handled, readable without the lock: {@link #shutdown} kills them. */
    private final Map<String, WorkerHandle> launched = new ConcurrentHashMap<>();

    private final TaskTable tasks;
    private final ObjectStore<ClientSession> objects = new InlineObjectStore<>();
    private final DependencyResolver resolver = new DependencyResolver(objects);
    private final TaskResults<ClientSession> results;
    private final Cancellation cancellation;
    private final Retries retries;
    private final Scheduler scheduler;
    private final WorkerPool pool = new WorkerPool();
    private final ActorDirectory actors = new ActorDirectory();
    private final ActorLifecycle actorLifecycle;
    private final LogRouter logs;
    private final NodePlugins plugins;
    private final Map<String, Job> jobs = new HashMap<>();
    private final Map<String, ClientSession> workerClients = new HashMap<>();
    private final ClassShipping classes = new ClassShipping();
    private final NodeViews views;
    private final WorkerOutput output;
    private final Scheduler.Leases leases = new Scheduler.Leases() {
        @Override
        public boolean jobAlive(String jobId) {
            return jobs.containsKey(jobId);
        }

        @Override
        public boolean lease(TaskRecord t) {
            Worker w = pool.pollIdle(t.jobId());
            if (w == null) {
                return false;
            }
            dispatch(t, w);
            return true;
        }
    };
    /** Written under the lock, or by a shutdown that could not get it. */
    private volatile boolean stopping;

    public NodeManager(NodeConfig config, Head head, WorkerLauncher launcher) {
        this.config = config;
        this.head = head;
        this.idPrefix = config.nodeId().substring(0, Math.min(ID_PREFIX_LENGTH, config.nodeId().length()));
        this.launcher = launcher;
        this.tasks = new TaskTable(config.nodeId());
        this.results = new TaskResults<>(objects, resolver, tasks, new Wakeups());
        this.scheduler = new Scheduler(new ResourceSet(config.cpus(), config.memory(), config.resources()));
        this.cancellation = new Cancellation(tasks, scheduler, results, new CancelHolders());
        this.retries = new Retries(scheduler, results);
        this.actorLifecycle = new ActorLifecycle(actors, tasks, scheduler, results, resolver, head, new ActorWorkers());
        this.logs = new LogRouter(config.ip());
        this.output = logs::forward;
        this.plugins = new NodePlugins(config, new PluginView());
        this.views = new NodeViews(config, head, tasks, scheduler, pool, actors);
        reaper.scheduleWithFixedDelay(this::reapIdleWorkers, 2, 2, TimeUnit.SECONDS);
    }

    public NodeConfig config() {
        return config;
    }

    /** The node's plug-ins: how a process that embeds the node reaches one, and their gRPC services. */
    public NodePlugins plugins() {
        return plugins;
    }

    // =================================================================== client sessions

    /** Opens a session for a core client; the returned observer takes its messages. */
    public StreamObserver<ClientMessage> connect(StreamObserver<NodeMessage> out) {
        ClientSession session = new ClientSession(idPrefix + Long.toHexString(0x10000 + clientCounter.incrementAndGet()),
                out, sendPool);
        return new StreamObserver<>() {
            @Override
            public void onNext(ClientMessage m) {
                onClientMessage(session, m);
            }

            @Override
            public void onError(Throwable t) {
                onClientClosed(session);
            }

            @Override
            public void onCompleted() {
                onClientClosed(session);
            }
        };
    }

    private void onClientMessage(ClientSession s, ClientMessage m) {
        switch (m.getBodyCase()) {
            case SUBMIT -> onSubmit(s, m.getSubmit());
            case PUT -> onPut(s, m.getPut().getObjectId(), m.getPut().getValue());
            case SUBSCRIBE -> m.getSubscribe().getObjectIdsList().forEach(id -> onSubscribe(s, id));
            case CANCEL -> onCancel(m.getCancel());
            case KILL -> onKill(m.getKill().getActorId(), m.getKill().getNoRestart());
            case GET_NAMED_ACTOR -> onGetNamedActor(s, m.getGetNamedActor().getRequestId(), m.getGetNamedActor().getName());
            case BLOCKED -> onBlocked(s, m.getBlocked().getBlocked());
            case REGISTER -> onRegister(s, m.getRegister());
            case FETCH_CLASS -> classes.fetch(s, m.getFetchClass(), driverOf(s.jobId));
            case RELEASE -> onRelease(s, m.getRelease().getObjectIdsList());
            case PLUGIN -> plugins.clientMessage(s, m.getPlugin());
            case CLASS_BYTES -> classes.bytes(m.getClassBytes());
            default -> {
            }
        }
    }

    private void onRegister(ClientSession s, RegisterClient r) {
        lock.lock();
        try {
            s.driver = r.getIsDriver();
            if (s.driver) {
                s.jobId = head.newJobId();
                Job job = new Job(s.jobId, s, r.getClasspathList(), r.getJvmOptionsList(), r.getWorkingDir(),
                        r.getLogToDriver());
                jobs.put(s.jobId, job);
                plugins.jobStarted(s.jobId, r.getPluginOptionsMap());
                pool.addJob(s.jobId);
                // Start one worker at once so the first task does not pay a whole worker start.
                startWorker(job, null);
            } else {
                s.jobId = r.getJobId();
                s.workerId = r.getWorkerId();
                workerClients.put(s.workerId, s);
            }
        } finally {
            lock.unlock();
        }
        s.send(NodeMessage.newBuilder().setRegistered(Registered.newBuilder()
                .setJobId(s.jobId).setNodeId(config.nodeId()).setNodeIp(config.ip())
                .setSessionDir(config.sessionDir().toString()).setClientId(s.clientId)).build());
    }

    /** The driver of the job, or null when the job ended (or never was). */
    private ClientSession driverOf(String jobId) {
        lock.lock();
        try {
            Job job = jobs.get(jobId);
            return job == null ? null : job.driver();
        } finally {
            lock.unlock();
        }
    }

    private void onClientClosed(ClientSession s) {
        s.complete();
        lock.lock();
        try {
            if (!s.driver) {
                workerClients.remove(s.workerId, s);
                return;
            }
            Job job = jobs.remove(s.jobId);
            if (job == null) {
                return;
            }
            // The driver is gone: its work has no one to report to. Stop its workers and forget it;
            // its parked tasks end with their workers and leave the list now.
            String jobId = job.jobId();
            plugins.jobEnded(jobId);
            for (Worker w : pool.removeJob(jobId)) {
                w.closeCommands();
                w.kill();
            }
            tasks.removeJob(jobId);
            scheduler.removeJob(jobId);
            actorLifecycle.removeJob(jobId);
            resolver.forgetObjects(objects.removeOwnedBy(owner -> jobId.equals(owner.jobId)));
        } finally {
            lock.unlock();
        }
    }

    // =================================================================== submission

    private void onSubmit(ClientSession s, TaskSpec spec) {
        lock.lock();
        try {
            TaskRecord t = new TaskRecord(spec);
            tasks.add(t);
            objects.create(spec.getReturnId(), s);
            if (spec.getKind() != TaskKind.ACTOR_METHOD && !scheduler.feasible(spec)) {
                infeasible(t);
                return;
            }
            switch (spec.getKind()) {
                case ACTOR_CREATION -> actorLifecycle.create(t);
                case ACTOR_METHOD -> actorLifecycle.call(t);
                default -> {
                    if (results.resolve(t)) {
                        enqueue(t);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * No node can ever run the task: fail it now instead of letting its get wait forever. (With
     * more nodes, the check becomes "no node that is or may join the cluster".)
     */
    private void infeasible(TaskRecord t) {
        String msg = Failures.infeasible(t, config.nodeId(), scheduler.total());
        if (t.kind() == TaskKind.ACTOR_CREATION) {
            actorLifecycle.infeasible(t, msg);
            return;
        }
        results.fail(t, Failures.infeasibleTask(msg));
    }

    private void enqueue(TaskRecord t) {
        scheduler.enqueue(t);
        schedule();
    }

    // =================================================================== objects

    private void onPut(ClientSession s, String id, ObjectValue v) {
        lock.lock();
        try {
            results.put(s, id, v);
        } finally {
            lock.unlock();
        }
    }

    private void onSubscribe(ClientSession s, String id) {
        lock.lock();
        try {
            results.subscribe(s, id);
        } finally {
            lock.unlock();
        }
    }

    /** Where a value wakes a waiting task: the scheduler for a normal task, the actor's lifecycle otherwise. */
    private final class Wakeups implements TaskResults.Waiters<ClientSession> {
        @Override
        public void send(ClientSession client, NodeMessage m) {
            client.send(m); // only enqueues
        }

        @Override
        public void argsReady(TaskRecord t) {
            switch (t.kind()) {
                case NORMAL -> enqueue(t);
                case ACTOR_METHOD, ACTOR_CREATION -> actorLifecycle.argsReady(t);
                default -> {
                }
            }
        }

        @Override
        public void argFailed(TaskRecord t, String id, ObjectValue v) {
            if (t.kind() == TaskKind.NORMAL) {
                results.fail(t, v);
            } else {
                actorLifecycle.argFailed(t, id, v);
            }
        }
    }

    private void onCancel(CancelTask c) {
        lock.lock();
        try {
            cancellation.cancel(c.getObjectId(), c.getForce(), c.getRecursive());
        } finally {
            lock.unlock();
        }
    }

    private void onRelease(ClientSession s, List<String> ids) {
        lock.lock();
        try {
            for (String id : ids) {
                objects.release(id, s);
            }
        } finally {
            lock.unlock();
        }
    }

    // =================================================================== task outcomes

    /** What holds a task that is cancelled, outside the scheduler: its actor's queue, its worker. */
    private final class CancelHolders implements Cancellation.Holders {
        @Override
        public void dropActorCall(TaskRecord call) {
            actorLifecycle.dropQueued(call);
        }

        @Override
        public void stop(TaskRecord t, boolean kill) {
            pool.stop(t, kill);
        }
    }

    /** How actors reach their workers. */
    private final class ActorWorkers implements ActorLifecycle.Workers {
        @Override
        public boolean jobAlive(String jobId) {
            return jobs.containsKey(jobId);
        }

        @Override
        public void start(ActorRecord a) {
            startWorker(jobs.get(a.jobId()), a);
        }

        @Override
        public void send(String workerId, WorkerCommand command) {
            pool.get(workerId).send(command); // an alive actor's worker is in the pool
        }

        @Override
        public void kill(String workerId) {
            pool.kill(workerId);
        }
    }

    // =================================================================== scheduling

    /** Leases idle workers to ready tasks (see {@link Scheduler#schedule}) and starts the workers wanted. */
    private void schedule() {
        if (stopping) {
            return;
        }
        scheduler.schedule(leases).forEach((jobId, wanted) -> {
            Job job = jobs.get(jobId);
            int toStart = pool.toStart(jobId, wanted);
            for (int i = 0; i < toStart; i++) {
                startWorker(job, null);
            }
        });
        checkStartFailures();
    }

    private void dispatch(TaskRecord t, Worker w) {
        t.running(w.id(), w.pid());
        w.current(t);
        if (t.kind() == TaskKind.NORMAL) {
            scheduler.acquire(t.spec());
        }
        w.send(WorkerCommand.newBuilder().setExecute(resolver.inline(t)).build());
    }

    private void startWorker(Job job, ActorRecord actor) {
        String workerId = "w" + idPrefix + Long.toHexString(0x100 + workerCounter.incrementAndGet());
        // before the launch: the worker may print before launch returns
        logs.open(workerId, job.logToDriver(), job.driver()::send);
        try {
            WorkerHandle handle = launcher.launch(new LaunchRequest(workerId, job.jobId(), job.classpath(),
                    job.jvmOptions(), job.workingDir(), plugins.workerJvmOptions()), output);
            Worker w = new Worker(handle, job.jobId(), actor);
            pool.add(w);
            plugins.workerStarted(w);
            if (actor != null) {
                actor.hostedBy(workerId, handle.pid());
            }
            launched.put(workerId, handle);
            // async: an exit that already happened must not run its handler here, under the lock
            handle.exit().thenAcceptAsync(exitCode -> onWorkerExit(w, exitCode), sendPool);
        } catch (IOException e) {
            logs.close(workerId);
            String failure = "the worker JVM could not be launched: " + e.getMessage();
            pool.launchFailed(job.jobId(), failure);
            if (actor != null) {
                actorLifecycle.dead(actor, failure, null);
            }
        }
    }

    /** Workers of a job that die before they say hello (bad classpath, bad JVM option) fail its tasks. */
    private void checkStartFailures() {
        pool.takeStartFailures().forEach((jobId, lastFailure) -> {
            for (TaskRecord t : scheduler.removeJob(jobId)) {
                results.fail(t, Failures.workersDoNotStart(t, jobId, lastFailure));
            }
        });
    }

    private void onBlocked(ClientSession s, boolean blocked) {
        lock.lock();
        try {
            Worker w = pool.get(s.workerId);
            TaskRecord t = w == null ? null : w.current();
            if (t == null || t.kind() != TaskKind.NORMAL) {
                return;
            }
            if (scheduler.lendCpus(t, blocked) && blocked) {
                schedule();
            }
        } finally {
            lock.unlock();
        }
    }

    // =================================================================== worker sessions

    /** Opens the executor stream of a worker; the worker introduces itself with a hello. */
    public StreamObserver<WorkerMessage> attach(StreamObserver<WorkerCommand> transport) {
        SerialObserver<WorkerCommand> commands = new SerialObserver<>(transport, sendPool);
        return new StreamObserver<>() {
            private Worker worker;

            @Override
            public void onNext(WorkerMessage m) {
                switch (m.getBodyCase()) {
                    case HELLO -> worker = onHello(m.getHello().getWorkerId(), commands);
                    case DONE -> {
                        if (worker != null) {
                            onTaskDone(worker, m.getDone());
                        }
                    }
                    case PLUGIN -> {
                        if (worker != null) {
                            plugins.workerMessage(worker, m.getPlugin());
                        }
                    }
                    default -> {
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // The process exit handler decides what the worker's task becomes.
            }

            @Override
            public void onCompleted() {
                commands.onCompleted();
            }
        };
    }

    private Worker onHello(String workerId, SerialObserver<WorkerCommand> commands) {
        lock.lock();
        try {
            Worker w = pool.get(workerId);
            Job job = w == null ? null : jobs.get(w.jobId());
            if (w == null || w.dead() || job == null) {
                // unknown, exited, or its job ended and it is being stopped
                commands.onNext(WorkerCommand.newBuilder().setExit(Exit.getDefaultInstance()).build());
                commands.onCompleted();
                return null;
            }
            w.registered(commands);
            // before any task: what a plug-in sends now reaches the worker before its first task
            plugins.workerHello(w);
            pool.helloFrom(w);
            if (w.actor() != null) {
                if (w.actor().state() == ActorRecord.State.DEAD) {
                    w.kill();
                } else {
                    dispatch(w.actor().creation(), w);
                }
            } else {
                pool.idle(w);
                schedule();
            }
            return w;
        } finally {
            lock.unlock();
        }
    }

    private void onTaskDone(Worker w, TaskDone done) {
        lock.lock();
        try {
            if (w.actor() != null) {
                actorLifecycle.taskDone(w.actor(), done);
                return;
            }
            TaskRecord t = w.current();
            if (t == null || !t.id().equals(done.getTaskId()) || t.attempt() != done.getAttempt()) {
                return;
            }
            w.current(null);
            retries.returned(t, done);
            if (!w.dead()) {
                pool.idle(w);
            }
            schedule();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets workers that stayed idle for a while exit, keeping as many per job as the node has
     * CPUs: bursts of nested tasks start many workers, and each holds a JVM's worth of memory.
     */
    private void reapIdleWorkers() {
        lock.lock();
        try {
            for (Worker w : pool.reap(Math.max(1, (int) Math.ceil(scheduler.total().cpus())))) {
                w.send(WorkerCommand.newBuilder().setExit(Exit.getDefaultInstance()).build());
                w.closeCommands();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called once per worker when its process has exited, however it ended. The process is the
     * authority: a broken stream alone does not mean the worker died.
     */
    private void onWorkerExit(Worker w, int exitCode) {
        // Let the pumps drain so the error can point at complete log files.
        w.handle().awaitOutput();
        boolean beforeHello;
        lock.lock();
        try {
            beforeHello = !w.registered() && w.actor() == null;
        } finally {
            lock.unlock();
        }
        // A worker never says hello after its exit was seen: the tail is there when it is needed.
        String errTail = beforeHello ? Failures.tail(w.handle().errLog()) : null;
        lock.lock();
        try {
            launched.remove(w.id());
            String startFailure = null;
            if (!w.registered() && w.actor() == null && !stopping && jobs.containsKey(w.jobId())) {
                startFailure = Failures.startFailure(exitCode, w.handle().errLog(), errTail);
            }
            w.markDead();
            pool.exited(w, startFailure);
            plugins.workerExited(w);
            logs.close(w.id());
            if (w.actor() != null) {
                actorLifecycle.workerDied(w.actor(), w.id(), ExitDetail.describe(exitCode),
                        Failures.actorWorkerDied(w, config.ip(), exitCode));
            } else if (w.current() != null) {
                TaskRecord t = w.current();
                w.current(null);
                retries.workerDied(t, ExitDetail.describe(exitCode), () -> Failures.workerCrashed(t, w, config.ip(), exitCode));
            }
            schedule();
        } finally {
            lock.unlock();
        }
    }

    private void onKill(String actorId, boolean noRestart) {
        lock.lock();
        try {
            actorLifecycle.kill(actorId, noRestart);
        } finally {
            lock.unlock();
        }
    }

    private void onGetNamedActor(ClientSession s, long requestId, String name) {
        NamedActorReply.Builder r = NamedActorReply.newBuilder().setRequestId(requestId);
        lock.lock();
        try {
            actorLifecycle.named(s.jobId, name).ifPresent(a -> r.setFound(true).setActorId(a.actorId()).setActorClass(a.className()));
        } finally {
            lock.unlock();
        }
        s.send(NodeMessage.newBuilder().setNamedActor(r).build());
    }

    // =================================================================== plug-ins

    /** What the node's plug-ins may read of it and send through it; each call takes the lock for a moment. */
    private final class PluginView implements NodePlugins.Node {
        @Override
        public Optional<Worker> worker(String workerId) {
            lock.lock();
            try {
                Worker w = pool.get(workerId);
                return w == null || w.dead() ? Optional.empty() : Optional.of(w);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public List<Worker> readyWorkers() {
            lock.lock();
            try {
                return pool.all().stream().filter(w -> w.registered() && !w.dead()).toList();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String rootTaskId(String taskId) {
            lock.lock();
            try {
                return tasks.rootOf(taskId);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void sendToWorker(String workerId, PluginMessage m) {
            lock.lock();
            try {
                Worker w = pool.get(workerId);
                if (w != null && w.registered() && !w.dead()) {
                    w.send(WorkerCommand.newBuilder().setPlugin(m).build()); // only enqueues
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void sendToDriver(String jobId, PluginMessage m) {
            lock.lock();
            try {
                Job job = jobs.get(jobId);
                if (job != null) {
                    job.driver().send(NodeMessage.newBuilder().setPlugin(m).build()); // only enqueues
                }
            } finally {
                lock.unlock();
            }
        }
    }

    // =================================================================== views

    public ClusterStatus status() {
        return locked(views::status).measured();
    }

    /** How many objects the node keeps (values, failures and pending results). */
    public int objectCount() {
        return locked(objects::size);
    }

    public List<TaskInfo> listTasks() {
        return locked(tasks::list);
    }

    /** The attempts of a task, each with why it ended (see {@link TaskTable#attempts}). */
    List<Attempt> attempts(String taskId) {
        return locked(() -> tasks.attempts(taskId));
    }

    public List<ActorInfo> listActors() {
        return locked(views::actors);
    }

    public List<WorkerInfo> listWorkers() {
        return locked(views::workers).stream().map(NodeViews::withRss).toList();
    }

    /** Reads the parts under the lock. */
    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    // =================================================================== shutdown

    /**
     * Stops every worker: politely (exit command, a grace period so their last output is relayed),
     * or with {@code force} by SIGKILL at once. Every wait is bounded: a node whose lock a stuck
     * thread holds still stops, killing every worker it launched.
     */
    public void shutdown(boolean force) {
        reaper.shutdownNow();
        stopping = true;
        List<WorkerHandle> all = new ArrayList<>();
        List<WorkerHandle> toKill = new ArrayList<>();
        boolean locked = false;
        try {
            locked = lock.tryLock(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (locked) {
            try {
                for (Worker w : pool.all()) {
                    all.add(w.handle());
                    if (force || !w.registered()) {
                        // a worker that has not said hello has run no task and printed nothing worth waiting for
                        toKill.add(w.handle());
                    } else {
                        w.send(WorkerCommand.newBuilder().setExit(Exit.getDefaultInstance()).build());
                        w.closeCommands();
                    }
                }
            } finally {
                lock.unlock();
            }
        } else {
            // Another thread holds the lock and does not let go: stop what was launched, by force.
            all.addAll(launched.values());
            toKill.addAll(all);
        }
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
        plugins.close();
        // The messages queued so far (the workers' last output) go out before this returns, within
        // a bound; later sends are dropped.
        sendPool.shutdown();
        try {
            sendPool.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
