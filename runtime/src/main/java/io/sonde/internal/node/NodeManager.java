package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.ActorDiedException;
import io.sonde.ObjectLostException;
import io.sonde.TaskCancelledException;
import io.sonde.WorkerCrashedException;
import io.sonde.internal.head.Head;
import io.sonde.internal.proto.ActorInfo;
import io.sonde.internal.proto.Arg;
import io.sonde.internal.proto.CancelTask;
import io.sonde.internal.proto.ClientMessage;
import io.sonde.internal.proto.ClusterStatus;
import io.sonde.internal.proto.Exit;
import io.sonde.internal.proto.Interrupt;
import io.sonde.internal.proto.LogBatch;
import io.sonde.internal.proto.NamedActorReply;
import io.sonde.internal.proto.NodeInfo;
import io.sonde.internal.proto.NodeMessage;
import io.sonde.internal.proto.ObjectReady;
import io.sonde.internal.proto.ObjectValue;
import io.sonde.internal.proto.RegisterClient;
import io.sonde.internal.proto.Registered;
import io.sonde.internal.proto.TaskDone;
import io.sonde.internal.proto.TaskInfo;
import io.sonde.internal.proto.TaskKind;
import io.sonde.internal.proto.TaskSpec;
import io.sonde.internal.proto.WorkerCommand;
import io.sonde.internal.proto.WorkerInfo;
import io.sonde.internal.serialization.Serializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the work of one node: schedules tasks on worker JVMs it starts, keeps the objects, drives
 * actors through their lifecycle, turns worker deaths into retries or failures, and relays worker
 * output to drivers.
 *
 * <h2>How a task flows</h2>
 * <pre>
 *  client ─submit─▶ onSubmit ─(args pending)─▶ dependents of each missing object
 *                        │                              │ onObjectReady
 *                        ▼                              ▼
 *                    readyQueue ──schedule()──▶ idle worker of the job (or a new one)
 *                                                       │ execute (args inlined)
 *  owner ◀─ready─ onObjectReady ◀─ complete ◀─ onTaskDone ◀┘
 *                                   ▲
 *                 onWorkerExit ─────┘ (retry: back to readyQueue; else WorkerCrashedException)
 * </pre>
 *
 * <h2>Thread safety</h2>
 * All state is guarded by one lock. Messages from clients and workers arrive on transport
 * threads, process exits on the JDK's reaper thread; each takes the lock, updates state and
 * sends. Sends never block (gRPC queues them; in-process clients only complete futures).
 *
 * <h2>Pitfalls</h2>
 * A cancelled running task keeps its worker until the worker returns: its result is dropped.
 * A worker waiting in {@code get} lends its CPUs back ({@link TaskRecord#cpusLent}), otherwise
 * nested tasks would deadlock a full node.
 */
public final class NodeManager {
    private static final int MAX_CONCURRENT_STARTS_PER_JOB = 4;
    private static final int MAX_FINISHED_TASKS_KEPT = 10_000;
    private static final int START_FAILURES_BEFORE_GIVING_UP = 3;
    private static final long IDLE_WORKER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Object lock = new Object();
    private final NodeConfig config;
    private final Head head;
    private final WorkerLauncher launcher;
    private final NodePlugins plugins;
    private final AtomicLong clientCounter = new AtomicLong();
    private final AtomicLong workerCounter = new AtomicLong();
    private final java.util.concurrent.ScheduledExecutorService reaper =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sonde-idle-reaper");
                t.setDaemon(true);
                return t;
            });

    private final Map<String, TaskRecord> tasks = new HashMap<>();
    private final LinkedHashMap<String, TaskInfo> finished = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TaskInfo> eldest) {
            return size() > MAX_FINISHED_TASKS_KEPT;
        }
    };
    private final Map<String, ObjectEntry> objects = new HashMap<>();
    private final Map<String, ActorRecord> actors = new LinkedHashMap<>();
    private final Map<String, WorkerProcess> workers = new LinkedHashMap<>();
    private final Map<String, Job> jobs = new HashMap<>();
    private final Map<String, ClientSession> workerClients = new HashMap<>();
    private final ArrayDeque<TaskRecord> readyQueue = new ArrayDeque<>();
    private final AtomicLong classRequests = new AtomicLong();
    private final Map<Long, PendingClassRequest> pendingClassRequests = new HashMap<>();
    private final ResourceSet total;
    private final ResourceSet available;
    /** Tasks in the ready queue that need no CPU: the scheduler scans past full nodes only for them. */
    private int zeroCpuTasksQueued;
    private boolean stopping;

    /** An object's value once known, and who waits for it. */
    private static final class ObjectEntry {
        ObjectValue value;
        final ClientSession owner;
        final List<ClientSession> subscribers = new ArrayList<>(1);
        final List<TaskRecord> dependents = new ArrayList<>(1);
        /** Live tasks that take this object as an argument: it is kept for their (re)tries. */
        int taskRefs;
        /** The owner dropped its last ref; the object goes once no task needs it. */
        boolean ownerReleased;

        ObjectEntry(ClientSession owner) {
            this.owner = owner;
        }
    }

    public NodeManager(NodeConfig config, Head head, WorkerLauncher launcher) {
        this.config = config;
        this.head = head;
        this.launcher = launcher;
        this.total = new ResourceSet(config.cpus(), config.memory(), config.resources());
        this.available = total.copy();
        this.plugins = new NodePlugins(config, lock, workers, jobs, this::rootOf);
        launcher.pluginOptions(plugins::workerJvmOptions);
        reaper.scheduleWithFixedDelay(this::reapIdleWorkers, 2, 2, TimeUnit.SECONDS);
    }

    public NodeConfig config() {
        return config;
    }

    /** The node's plug-ins ({@link io.sonde.spi.NodePlugin}). */
    public NodePlugins plugins() {
        return plugins;
    }

    // =================================================================== client sessions

    /** Opens a session for a core client; the returned observer takes its messages. */
    public StreamObserver<ClientMessage> connect(StreamObserver<NodeMessage> out) {
        ClientSession session = new ClientSession(Long.toHexString(0x10000 + clientCounter.incrementAndGet()), out);
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
            case FETCH_CLASS -> onFetchClass(s, m.getFetchClass());
            case RELEASE -> onRelease(s, m.getRelease().getObjectIdsList());
            case PLUGIN -> plugins.clientMessage(s, m.getPlugin());
            case CLASS_BYTES -> onClassBytes(m.getClassBytes());
            default -> {
            }
        }
    }

    private void onRegister(ClientSession s, RegisterClient r) {
        synchronized (lock) {
            s.driver = r.getIsDriver();
            if (s.driver) {
                s.jobId = head.newJobId();
                Job job = new Job(s.jobId, s, r.getClasspathList(), r.getJvmOptionsList(), r.getWorkingDir(),
                        r.getLogToDriver());
                jobs.put(s.jobId, job);
                plugins.jobStarted(s.jobId, r.getPluginOptionsMap());
                // Start one worker at once so the first task does not pay a whole JVM start.
                startWorker(job, null);
            } else {
                s.jobId = r.getJobId();
                s.workerId = r.getWorkerId();
                workerClients.put(s.workerId, s);
            }
        }
        s.send(NodeMessage.newBuilder().setRegistered(Registered.newBuilder()
                .setJobId(s.jobId).setNodeId(config.nodeId()).setNodeIp(config.ip())
                .setSessionDir(config.sessionDir().toString()).setClientId(s.clientId)).build());
    }

    private void onClientClosed(ClientSession s) {
        s.complete();
        synchronized (lock) {
            if (!s.driver) {
                workerClients.remove(s.workerId, s);
                return;
            }
            Job job = jobs.remove(s.jobId);
            if (job == null) {
                return;
            }
            // The driver is gone: its work has no one to report to. Stop its workers and forget it.
            plugins.jobEnded(job.jobId);
            for (WorkerProcess w : List.copyOf(workers.values())) {
                if (w.job == job) {
                    w.closeCommands();
                    w.kill();
                }
            }
            tasks.values().removeIf(t -> t.spec.getJobId().equals(job.jobId));
            readyQueue.removeIf(t -> {
                boolean drop = t.spec.getJobId().equals(job.jobId);
                if (drop) {
                    queued(t, -1);
                }
                return drop;
            });
            actors.values().removeIf(a -> {
                if (a.jobId.equals(job.jobId)) {
                    head.removeNamedActor(a.jobId, a.name, a.actorId);
                    return true;
                }
                return false;
            });
            objects.values().removeIf(o -> o.owner != null && job.jobId.equals(o.owner.jobId));
        }
    }

    // =================================================================== submission

    private void onSubmit(ClientSession s, TaskSpec spec) {
        synchronized (lock) {
            TaskRecord t = new TaskRecord(spec, s);
            tasks.put(t.id(), t);
            objects.put(spec.getReturnId(), new ObjectEntry(s));
            if (spec.getKind() != TaskKind.ACTOR_METHOD && !total.fits(spec)) {
                infeasible(t);
                return;
            }
            switch (spec.getKind()) {
                case ACTOR_CREATION -> createActor(t);
                case ACTOR_METHOD -> submitActorCall(t);
                default -> {
                    if (resolveArgs(t)) {
                        enqueue(t);
                    }
                }
            }
        }
    }

    /**
     * Registers the task on each argument object that is not ready yet. Returns true when all
     * are ready; false when it must wait, or when it already failed because an argument holds a
     * failure (the task then fails with that same failure, as Ray does).
     */
    private boolean resolveArgs(TaskRecord t) {
        for (Arg a : t.spec.getArgsList()) {
            if (a.getKindCase() != Arg.KindCase.REF_ID) {
                continue;
            }
            ObjectEntry e = objects.get(a.getRefId());
            if (e != null && t.heldArgs.add(a.getRefId())) {
                e.taskRefs++;
            }
            if (e == null) {
                fail(t, Serializer.error(new ObjectLostException("argument " + a.getRefId() + " of " + describe(t)
                        + " does not exist any more: its owner exited or it was never created on this cluster")));
                return false;
            }
            if (e.value == null) {
                if (t.pendingArgs.add(a.getRefId())) {
                    e.dependents.add(t);
                }
            } else if (e.value.getIsError()) {
                fail(t, e.value);
                return false;
            }
        }
        return t.pendingArgs.isEmpty();
    }

    /**
     * No node can ever run the task: fail it now instead of letting its get wait forever. (With
     * more nodes, the check becomes "no node that is or may join the cluster".)
     */
    private void infeasible(TaskRecord t) {
        String msg = describe(t) + " cannot be scheduled: it needs {" + ResourceSet.describe(t.spec)
                + "} but no node of this cluster has that much (node " + config.nodeId() + " has {" + total.describe()
                + "}). Ask for less with numCpus/memory/resource, or start the cluster with more"
                + " (InitOptions.numCpus/resource, or `sonde start --head --num-cpus N`).";
        if (t.spec.getKind() == TaskKind.ACTOR_CREATION) {
            ActorRecord a = new ActorRecord(t);
            actors.put(a.actorId, a);
            actorDead(a, "it " + msg.substring(msg.indexOf("cannot be scheduled")), null);
            return;
        }
        fail(t, Serializer.error(new io.sonde.SondeException(msg)));
    }

    private void enqueue(TaskRecord t) {
        t.state = TaskState.PENDING_SCHEDULING;
        queued(t, 1);
        readyQueue.add(t);
        schedule();
    }

    private void requeueFirst(TaskRecord t) {
        t.attempt++;
        t.state = TaskState.PENDING_SCHEDULING;
        queued(t, 1);
        readyQueue.addFirst(t);
    }

    private void queued(TaskRecord t, int delta) {
        if (t.cpus() < 1e-9) {
            zeroCpuTasksQueued += delta;
        }
    }

    private void onPut(ClientSession s, String id, ObjectValue v) {
        synchronized (lock) {
            ObjectEntry e = objects.computeIfAbsent(id, k -> new ObjectEntry(s));
            objectReady(id, e, v);
        }
    }

    private void onSubscribe(ClientSession s, String id) {
        synchronized (lock) {
            ObjectEntry e = objects.get(id);
            if (e == null) {
                s.send(ready(id, Serializer.error(new ObjectLostException("object " + id + " does not exist on this"
                        + " cluster: its owner exited, or the ref comes from another cluster or an earlier run"))));
            } else if (e.value != null) {
                s.send(ready(id, e.value));
            } else if (e.owner != s) {
                e.subscribers.add(s);
            }
        }
    }

    private void objectReady(String id, ObjectEntry e, ObjectValue v) {
        if (e.value != null) {
            return;
        }
        e.value = v;
        NodeMessage msg = ready(id, v);
        if (e.owner != null) {
            e.owner.send(msg);
        }
        for (ClientSession s : e.subscribers) {
            s.send(msg);
        }
        e.subscribers.clear();
        List<TaskRecord> dependents = List.copyOf(e.dependents);
        e.dependents.clear();
        dropIfUnused(id, e);
        for (TaskRecord t : dependents) {
            if (t.state.done() || !t.pendingArgs.remove(id)) {
                continue;
            }
            if (v.getIsError()) {
                if (t.spec.getKind() == TaskKind.ACTOR_METHOD) {
                    ActorRecord a = actors.get(t.spec.getActorId());
                    if (a != null) {
                        a.queue.remove(t);
                    }
                }
                fail(t, v);
                if (t.spec.getKind() == TaskKind.ACTOR_CREATION) {
                    ActorRecord a = actors.get(t.spec.getActorId());
                    if (a != null) {
                        actorDead(a, "its constructor's argument " + id + " holds a failure", v);
                    }
                }
            } else if (t.pendingArgs.isEmpty()) {
                switch (t.spec.getKind()) {
                    case NORMAL -> enqueue(t);
                    case ACTOR_METHOD -> pumpActor(actors.get(t.spec.getActorId()));
                    case ACTOR_CREATION -> startActorWorker(actors.get(t.spec.getActorId()));
                    default -> {
                    }
                }
            }
        }
    }

    private void onRelease(ClientSession s, List<String> ids) {
        synchronized (lock) {
            for (String id : ids) {
                ObjectEntry e = objects.get(id);
                if (e != null && e.owner == s) {
                    e.ownerReleased = true;
                    dropIfUnused(id, e);
                }
            }
        }
    }

    /** Forgets an object its owner released once it is ready and no live task takes it as argument. */
    private void dropIfUnused(String id, ObjectEntry e) {
        if (e.ownerReleased && e.taskRefs == 0 && e.value != null) {
            objects.remove(id);
        }
    }

    private static NodeMessage ready(String id, ObjectValue v) {
        return NodeMessage.newBuilder().setReady(ObjectReady.newBuilder().setObjectId(id).setValue(v)).build();
    }

    /** Stores the task's result (a value or a failure) and retires the task. */
    private void complete(TaskRecord t, ObjectValue result) {
        if (t.state.done()) {
            return;
        }
        if (t.cancelled) {
            t.state = TaskState.CANCELLED;
        } else {
            t.state = result.getIsError() ? TaskState.FAILED : TaskState.FINISHED;
        }
        t.errorType = result.getIsError() ? result.getErrorType() : "";
        tasks.remove(t.id());
        for (String held : t.heldArgs) {
            ObjectEntry arg = objects.get(held);
            if (arg != null) {
                arg.taskRefs--;
                dropIfUnused(held, arg);
            }
        }
        t.heldArgs.clear();
        finished.put(t.id(), info(t));
        ObjectEntry e = objects.get(t.spec.getReturnId());
        if (e != null) {
            objectReady(t.spec.getReturnId(), e, result);
        }
    }

    private void fail(TaskRecord t, ObjectValue error) {
        for (String pending : t.pendingArgs) {
            ObjectEntry e = objects.get(pending);
            if (e != null) {
                e.dependents.remove(t);
            }
        }
        t.pendingArgs.clear();
        complete(t, error);
    }

    // =================================================================== scheduling

    /**
     * Leases idle workers of each task's job to ready tasks whose CPUs fit, in submission order
     * (smaller tasks may pass a larger one that does not fit yet), and starts workers for tasks
     * that fit but found none idle.
     */
    private void schedule() {
        if (stopping) {
            return;
        }
        ResourceSet budget = available.copy();
        Map<Job, Integer> wanted = null;
        for (Iterator<TaskRecord> it = readyQueue.iterator(); it.hasNext(); ) {
            TaskRecord t = it.next();
            Job job = jobs.get(t.spec.getJobId());
            if (job == null) {
                it.remove();
                queued(t, -1);
                continue;
            }
            if (!budget.fits(t.spec)) {
                if (budget.cpus < 1e-9 && zeroCpuTasksQueued == 0) {
                    break; // nothing further down the queue can fit either
                }
                continue;
            }
            budget.take(t.spec);
            // The most recently used worker first: its JIT is warm.
            WorkerProcess w = job.idle.pollLast();
            if (w != null) {
                it.remove();
                queued(t, -1);
                dispatch(t, w);
            } else {
                if (wanted == null) {
                    wanted = new HashMap<>();
                }
                wanted.merge(job, 1, Integer::sum);
            }
        }
        if (wanted != null) {
            wanted.forEach((job, n) -> {
                int toStart = Math.min(n, MAX_CONCURRENT_STARTS_PER_JOB) - job.starting;
                for (int i = 0; i < toStart; i++) {
                    startWorker(job, null);
                }
            });
        }
        checkStartFailures();
    }

    private void dispatch(TaskRecord t, WorkerProcess w) {
        t.state = TaskState.RUNNING;
        t.worker = w;
        t.lastPid = w.pid;
        w.current = t;
        if (t.spec.getKind() == TaskKind.NORMAL) {
            available.take(t.spec);
        }
        w.send(WorkerCommand.newBuilder().setExecute(inline(t)).build());
    }

    /** The spec as the worker gets it: argument refs replaced by their values, attempt set. */
    private TaskSpec inline(TaskRecord t) {
        TaskSpec.Builder b = t.spec.toBuilder().setAttempt(t.attempt);
        boolean refs = false;
        for (int i = 0; i < b.getArgsCount(); i++) {
            Arg a = b.getArgs(i);
            if (a.getKindCase() == Arg.KindCase.REF_ID) {
                refs = true;
                b.setArgs(i, Arg.newBuilder().setValue(objects.get(a.getRefId()).value));
            }
        }
        return refs || t.attempt != 0 ? b.build() : t.spec;
    }

    private void startWorker(Job job, ActorRecord actor) {
        String workerId = "w" + Long.toHexString(0x100 + workerCounter.incrementAndGet());
        try {
            WorkerProcess w = launcher.launch(workerId, job, actor, this::forwardLogs);
            workers.put(workerId, w);
            plugins.workerStarted(w);
            if (actor == null) {
                job.starting++;
            } else {
                actor.worker = w;
                actor.lastPid = w.pid;
            }
            w.process.onExit().thenRun(() -> onWorkerExit(w));
        } catch (IOException e) {
            job.consecutiveStartFailures = START_FAILURES_BEFORE_GIVING_UP;
            job.lastStartFailure = "the worker JVM could not be launched: " + e.getMessage();
            if (actor != null) {
                actorDead(actor, job.lastStartFailure, null);
            }
        }
    }

    /** Workers of a job that die before they say hello (bad classpath, bad JVM option) fail its tasks. */
    private void checkStartFailures() {
        for (Job job : jobs.values()) {
            if (job.consecutiveStartFailures < START_FAILURES_BEFORE_GIVING_UP) {
                continue;
            }
            for (Iterator<TaskRecord> it = readyQueue.iterator(); it.hasNext(); ) {
                TaskRecord t = it.next();
                if (t.spec.getJobId().equals(job.jobId)) {
                    it.remove();
                    queued(t, -1);
                    fail(t, Serializer.error(new WorkerCrashedException(describe(t) + " cannot run: the last "
                            + START_FAILURES_BEFORE_GIVING_UP + " worker processes of job " + job.jobId
                            + " exited before they started. " + job.lastStartFailure
                            + " Check the worker JVM options and the driver's classpath.")));
                }
            }
            job.consecutiveStartFailures = 0;
        }
    }

    private void onBlocked(ClientSession s, boolean blocked) {
        synchronized (lock) {
            WorkerProcess w = workers.get(s.workerId);
            TaskRecord t = w == null ? null : w.current;
            if (t == null || t.spec.getKind() != TaskKind.NORMAL || t.cpusLent == blocked) {
                return;
            }
            t.cpusLent = blocked;
            available.cpus += blocked ? t.cpus() : -t.cpus();
            if (blocked) {
                schedule();
            }
        }
    }

    // =================================================================== worker sessions

    /** Opens the executor stream of a worker; the worker introduces itself with a hello. */
    public StreamObserver<io.sonde.internal.proto.WorkerMessage> attach(StreamObserver<WorkerCommand> commands) {
        return new StreamObserver<>() {
            private WorkerProcess worker;

            @Override
            public void onNext(io.sonde.internal.proto.WorkerMessage m) {
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

    private WorkerProcess onHello(String workerId, StreamObserver<WorkerCommand> commands) {
        synchronized (lock) {
            WorkerProcess w = workers.get(workerId);
            if (w == null || w.dead) {
                commands.onNext(WorkerCommand.newBuilder().setExit(Exit.getDefaultInstance()).build());
                commands.onCompleted();
                return null;
            }
            w.attach(commands);
            w.registered = true;
            plugins.workerHello(w);
            w.job.consecutiveStartFailures = 0;
            if (w.actor != null) {
                if (w.actor.state == ActorRecord.State.DEAD) {
                    w.kill();
                } else {
                    dispatch(w.actor.creation, w);
                }
            } else {
                w.job.starting--;
                idle(w);
                schedule();
            }
            return w;
        }
    }

    private void onTaskDone(WorkerProcess w, TaskDone done) {
        synchronized (lock) {
            TaskRecord t = w.current;
            if (w.actor != null) {
                t = w.actor.inFlight.get(done.getTaskId());
                if (t == null && w.actor.creation.id().equals(done.getTaskId())) {
                    t = w.actor.creation;
                }
            }
            if (t == null || !t.id().equals(done.getTaskId()) || t.attempt != done.getAttempt()) {
                return;
            }
            if (w.actor != null) {
                actorTaskDone(w.actor, t, done);
                return;
            }
            w.current = null;
            available.give(t.spec, !t.cpusLent);
            t.cpusLent = false;
            t.worker = null;
            ObjectValue result = done.getResult();
            if (result.getIsError() && !t.cancelled && retriesException(t.spec, done) && t.canRetry(t.spec.getMaxRetries())) {
                requeueFirst(t);
            } else {
                complete(t, t.cancelled ? cancelledError(t) : result);
            }
            if (!w.dead) {
                idle(w);
            }
            schedule();
        }
    }

    private void idle(WorkerProcess w) {
        w.idleSinceNanos = System.nanoTime();
        w.job.idle.addLast(w);
    }

    /**
     * Lets workers that stayed idle for {@link #IDLE_WORKER_TIMEOUT_NANOS} exit, keeping as many per
     * job as the node has CPUs: bursts of nested tasks start many workers, and each holds a JVM's
     * worth of memory.
     */
    private void reapIdleWorkers() {
        synchronized (lock) {
            long now = System.nanoTime();
            int keep = Math.max(1, (int) Math.ceil(total.cpus));
            for (Job job : jobs.values()) {
                while (job.idle.size() > keep && now - job.idle.peekFirst().idleSinceNanos > IDLE_WORKER_TIMEOUT_NANOS) {
                    WorkerProcess w = job.idle.pollFirst();
                    w.send(WorkerCommand.newBuilder().setExit(Exit.getDefaultInstance()).build());
                    w.closeCommands();
                }
            }
        }
    }

    private static boolean retriesException(TaskSpec spec, TaskDone done) {
        if (!spec.getRetryExceptions()) {
            return false;
        }
        if (spec.getRetryExceptionClassesCount() == 0) {
            return true;
        }
        return done.getExceptionClassesList().stream().anyMatch(spec.getRetryExceptionClassesList()::contains);
    }

    /**
     * Called once per worker when its process has exited, however it ended. The process is the
     * authority: a broken stream alone does not mean the worker died.
     */
    void onWorkerExit(WorkerProcess w) {
        // Let the pumps drain so the error can point at complete log files.
        joinQuietly(w.outPump);
        joinQuietly(w.errPump);
        synchronized (lock) {
            w.dead = true;
            workers.remove(w.workerId);
            plugins.workerExited(w);
            w.job.idle.remove(w);
            int exitCode = w.process.exitValue();
            if (!w.registered && w.actor == null) {
                w.job.starting--;
                if (!stopping && jobs.containsKey(w.job.jobId)) {
                    w.job.consecutiveStartFailures++;
                    w.job.lastStartFailure = "The last one ended with " + ExitDetail.describe(exitCode) + "; its stderr: "
                            + tail(w.errLog) + " (" + w.errLog + ").";
                }
            }
            if (w.actor != null) {
                actorWorkerDied(w.actor, w, exitCode);
            } else if (w.current != null) {
                TaskRecord t = w.current;
                w.current = null;
                available.give(t.spec, !t.cpusLent);
                t.cpusLent = false;
                t.worker = null;
                if (t.cancelled) {
                    complete(t, cancelledError(t));
                } else if (t.canRetry(t.spec.getMaxRetries())) {
                    requeueFirst(t);
                } else {
                    fail(t, Serializer.error(new WorkerCrashedException(crashMessage(t, w, exitCode))));
                }
            }
            schedule();
        }
    }

    private String crashMessage(TaskRecord t, WorkerProcess w, int exitCode) {
        int retries = t.spec.getMaxRetries();
        String retryNote = retries == 0 ? " The task has maxRetries=0, so it was not retried."
                : " It was retried " + retries + " time" + (retries == 1 ? "" : "s") + " (maxRetries=" + retries
                + "); raise maxRetries to retry it more.";
        return describe(t) + " failed: its worker process (pid=" + w.pid + ", node=" + config.ip() + ") died with "
                + ExitDetail.describe(exitCode) + " while running it. " + ExitDetail.likelyCauses()
                + retryNote + " The worker's log: " + w.errLog + " and " + w.outLog + ".";
    }

    // =================================================================== actors

    private void createActor(TaskRecord t) {
        ActorRecord a = new ActorRecord(t);
        actors.put(a.actorId, a);
        if (!a.name.isEmpty() && !head.registerNamedActor(a.jobId, a.name, a.actorId)) {
            actorDead(a, "an actor named '" + a.name + "' already exists in this job", null);
            return;
        }
        if (resolveArgs(t)) {
            startActorWorker(a);
        } else if (t.state.done()) {
            actorDead(a, "its constructor's argument holds a failure", objects.get(t.spec.getReturnId()).value);
        }
    }

    private void startActorWorker(ActorRecord a) {
        if (a == null || a.state == ActorRecord.State.DEAD) {
            return;
        }
        Job job = jobs.get(a.jobId);
        if (job == null) {
            return;
        }
        a.creation.state = TaskState.PENDING_SCHEDULING;
        available.take(a.creation.spec);
        startWorker(job, a);
    }

    private void submitActorCall(TaskRecord t) {
        ActorRecord a = actors.get(t.spec.getActorId());
        if (a == null || a.state == ActorRecord.State.DEAD) {
            fail(t, a == null
                    ? Serializer.error(new ActorDiedException("the actor " + t.spec.getActorClass() + " (id="
                    + t.spec.getActorId() + ") of " + describe(t) + " does not exist on this cluster: its job ended"
                    + " or the handle comes from another cluster"))
                    : deadActorError(a));
            return;
        }
        a.queue.add(t);
        resolveArgs(t);
        pumpActor(a);
    }

    /** Sends queued calls to an alive actor in order, stopping at the first whose args are not ready. */
    private void pumpActor(ActorRecord a) {
        if (a == null || a.state != ActorRecord.State.ALIVE) {
            return;
        }
        while (!a.queue.isEmpty()) {
            TaskRecord t = a.queue.peek();
            if (t.state.done()) {
                a.queue.poll();
                continue;
            }
            if (!t.pendingArgs.isEmpty()) {
                return;
            }
            a.queue.poll();
            a.inFlight.put(t.id(), t);
            t.state = TaskState.RUNNING;
            t.worker = a.worker;
            t.lastPid = a.worker.pid;
            a.worker.send(WorkerCommand.newBuilder().setExecute(inline(t)).build());
        }
    }

    private void actorTaskDone(ActorRecord a, TaskRecord t, TaskDone done) {
        if (t == a.creation) {
            if (done.getResult().getIsError()) {
                complete(t, done.getResult());
                actorDead(a, "its constructor threw", constructorError(a, done.getResult()));
                a.worker.kill();
            } else {
                t.state = TaskState.RUNNING;
                a.state = ActorRecord.State.ALIVE;
                pumpActor(a);
            }
            return;
        }
        a.inFlight.remove(t.id());
        t.worker = null;
        complete(t, t.cancelled ? cancelledError(t) : done.getResult());
    }

    private ObjectValue constructorError(ActorRecord a, ObjectValue taskError) {
        Throwable cause = null;
        try {
            Object e = Serializer.decode(taskError.getData(), getClass().getClassLoader());
            cause = e instanceof Throwable ? ((Throwable) e).getCause() : null;
        } catch (RuntimeException ignored) {
            // the user's exception class is not visible here; the message still says what failed
        }
        String msg = "The " + a.describe() + " died because its constructor threw"
                + (cause == null ? "" : ": " + cause) + ". Fix the constructor; calls to this actor fail until a new one"
                + " is created.";
        ActorDiedException e = cause == null ? new ActorDiedException(msg) : new ActorDiedException(msg, cause);
        try {
            return Serializer.error(e);
        } catch (RuntimeException notSerializable) {
            return Serializer.error(new ActorDiedException(msg));
        }
    }

    private void actorWorkerDied(ActorRecord a, WorkerProcess w, int exitCode) {
        if (a.worker != w) {
            return;
        }
        a.worker = null;
        available.give(a.creation.spec, true);
        if (a.state == ActorRecord.State.DEAD) {
            failActorCalls(a);
            return;
        }
        String detail = a.killRequested
                ? "it was killed by Sonde.kill"
                : "its worker process (pid=" + w.pid + ", node=" + config.ip() + ") died with "
                + ExitDetail.describe(exitCode) + ". " + ExitDetail.likelyCauses() + " The worker's log: " + w.errLog;
        boolean restart = !(a.killRequested && a.killNoRestart) && a.state != ActorRecord.State.PENDING_CREATION
                && (a.maxRestarts() < 0 || a.restarts < a.maxRestarts());
        // The worker runs calls one at a time: the oldest call in flight was running and died with
        // the process (retried only with maxTaskRetries); the calls behind it never started, so they
        // simply wait for the restarted actor.
        List<TaskRecord> retry = new ArrayList<>();
        boolean first = true;
        for (TaskRecord t : a.inFlight.values()) {
            boolean wasRunning = first;
            first = false;
            if (t.cancelled) {
                complete(t, cancelledError(t));
            } else if (restart && !wasRunning) {
                t.state = TaskState.PENDING_SCHEDULING;
                retry.add(t);
            } else if (restart && t.canRetry(a.maxTaskRetries())) {
                t.attempt++;
                t.state = TaskState.PENDING_SCHEDULING;
                retry.add(t);
            } else {
                complete(t, Serializer.error(new ActorDiedException(
                        describe(t) + " failed: the " + a.describe() + " died while running it: " + detail + "."
                                + (restart ? " The actor is restarting; set maxTaskRetries to retry calls in flight." : ""))));
            }
        }
        a.inFlight.clear();
        for (int i = retry.size() - 1; i >= 0; i--) {
            a.queue.addFirst(retry.get(i));
        }
        if (restart) {
            a.restarts++;
            a.killRequested = false;
            a.state = ActorRecord.State.RESTARTING;
            a.creation.attempt++;
            startActorWorker(a);
        } else {
            actorDead(a, detail, null);
        }
    }

    private void actorDead(ActorRecord a, String cause, ObjectValue error) {
        if (a.state == ActorRecord.State.DEAD) {
            return;
        }
        a.state = ActorRecord.State.DEAD;
        a.deathCause = cause;
        a.deathError = error;
        if (!a.name.isEmpty()) {
            head.removeNamedActor(a.jobId, a.name, a.actorId);
        }
        if (!a.creation.state.done()) {
            a.creation.state = TaskState.FINISHED;
            tasks.remove(a.creation.id());
        }
        failActorCalls(a);
    }

    private void failActorCalls(ActorRecord a) {
        ObjectValue err = deadActorError(a);
        for (TaskRecord t : List.copyOf(a.queue)) {
            fail(t, err);
        }
        a.queue.clear();
        for (TaskRecord t : List.copyOf(a.inFlight.values())) {
            complete(t, err);
        }
        a.inFlight.clear();
    }

    private ObjectValue deadActorError(ActorRecord a) {
        if (a.deathError != null) {
            return a.deathError;
        }
        return Serializer.error(new ActorDiedException("The " + a.describe() + " is dead: " + a.deathCause + "."
                + (a.maxRestarts() == 0 && !a.deathCause.contains("Sonde.kill")
                ? " It had maxRestarts=0; give it maxRestarts(n) to have it restarted." : "")));
    }

    private void onKill(String actorId, boolean noRestart) {
        synchronized (lock) {
            ActorRecord a = actors.get(actorId);
            if (a == null || a.state == ActorRecord.State.DEAD) {
                return;
            }
            a.killRequested = true;
            a.killNoRestart = noRestart;
            boolean restart = !noRestart && a.state != ActorRecord.State.PENDING_CREATION
                    && (a.maxRestarts() < 0 || a.restarts < a.maxRestarts());
            if (a.worker != null) {
                a.worker.kill();
            }
            if (!restart) {
                // Calls made from now on fail at once instead of racing the process's exit.
                actorDead(a, "it was killed by Sonde.kill", null);
            } else {
                // Calls made from now on wait for the restarted actor.
                a.state = ActorRecord.State.RESTARTING;
            }
        }
    }

    private void onGetNamedActor(ClientSession s, long requestId, String name) {
        NamedActorReply.Builder r = NamedActorReply.newBuilder().setRequestId(requestId);
        synchronized (lock) {
            head.namedActor(s.jobId, name).map(actors::get).filter(a -> a.state != ActorRecord.State.DEAD)
                    .ifPresent(a -> r.setFound(true).setActorId(a.actorId).setActorClass(a.className));
        }
        s.send(NodeMessage.newBuilder().setNamedActor(r).build());
    }

    // =================================================================== cancellation

    private void onCancel(CancelTask c) {
        synchronized (lock) {
            TaskRecord t = tasks.get(c.getObjectId());
            if (t != null) {
                cancel(t, c.getForce(), c.getRecursive());
            }
        }
    }

    private void cancel(TaskRecord t, boolean force, boolean recursive) {
        if (t.state.done() || t.cancelled) {
            return;
        }
        t.cancelled = true;
        if (recursive) {
            for (TaskRecord child : List.copyOf(tasks.values())) {
                if (child.spec.getParentTaskId().equals(t.id())) {
                    cancel(child, force, true);
                }
            }
        }
        ObjectValue err = cancelledError(t);
        switch (t.state) {
            case PENDING_ARGS_AVAIL, PENDING_SCHEDULING -> {
                if (readyQueue.remove(t)) {
                    queued(t, -1);
                }
                if (t.spec.getKind() == TaskKind.ACTOR_METHOD) {
                    ActorRecord a = actors.get(t.spec.getActorId());
                    if (a != null) {
                        a.queue.remove(t);
                    }
                }
                fail(t, err);
            }
            case RUNNING -> {
                WorkerProcess w = t.worker;
                if (w != null && force && t.spec.getKind() == TaskKind.NORMAL) {
                    w.kill();
                } else if (w != null) {
                    w.send(WorkerCommand.newBuilder().setInterrupt(Interrupt.newBuilder().setTaskId(t.id())).build());
                }
                // The caller learns at once; the worker's eventual result is dropped.
                complete(t, err);
            }
            default -> {
            }
        }
    }

    private ObjectValue cancelledError(TaskRecord t) {
        return Serializer.error(new TaskCancelledException(describe(t) + " was cancelled by Sonde.cancel"
                + (t.lastPid != 0 ? " while it ran on worker pid=" + t.lastPid : " before it started") + "."));
    }

    // =================================================================== class shipping

    /** Forwards a worker's request for a class to its job's driver, under a node-wide request id. */
    private void onFetchClass(ClientSession worker, io.sonde.internal.proto.FetchClass f) {
        ClientSession driver;
        long id = classRequests.incrementAndGet();
        synchronized (lock) {
            Job job = jobs.get(worker.jobId);
            driver = job == null ? null : job.driver;
            if (driver != null) {
                pendingClassRequests.put(id, new PendingClassRequest(worker, f.getRequestId()));
            }
        }
        if (driver == null) {
            worker.send(NodeMessage.newBuilder().setClassBytes(io.sonde.internal.proto.ClassBytes.newBuilder()
                    .setRequestId(f.getRequestId()).setFound(false)).build());
            return;
        }
        driver.send(NodeMessage.newBuilder().setClassRequest(f.toBuilder().setRequestId(id)).build());
    }

    private void onClassBytes(io.sonde.internal.proto.ClassBytes b) {
        PendingClassRequest p;
        synchronized (lock) {
            p = pendingClassRequests.remove(b.getRequestId());
        }
        if (p != null) {
            p.worker.send(NodeMessage.newBuilder().setClassBytes(b.toBuilder().setRequestId(p.requestId)).build());
        }
    }

    private record PendingClassRequest(ClientSession worker, long requestId) {
    }

    // =================================================================== plug-ins

    /** The ancestor of a task that its driver submitted, following parents the node still holds. */
    private String rootOf(String taskId) {
        String id = taskId;
        for (int depth = 0; depth < 1000; depth++) {
            TaskRecord t = tasks.get(id);
            if (t == null || t.spec.getParentTaskId().isEmpty()) {
                return id;
            }
            id = t.spec.getParentTaskId();
        }
        return id;
    }

    // =================================================================== logs

    private void forwardLogs(WorkerProcess w, boolean stderr, String taskName, List<String> lines) {
        Job job = w.job;
        if (!job.logToDriver) {
            return;
        }
        job.driver.send(NodeMessage.newBuilder().setLogs(LogBatch.newBuilder()
                .setWorkerId(w.workerId).setPid(w.pid).setNodeIp(config.ip()).setStderr(stderr)
                .setTaskName(taskName).addAllLines(lines)).build());
    }

    // =================================================================== views

    public ClusterStatus status() {
        synchronized (lock) {
            long used = 0;
            for (WorkerProcess w : workers.values()) {
                used += Rss.of(w.pid);
            }
            used += Rss.of(ProcessHandle.current().pid());
            int running = 0;
            int pending = 0;
            for (TaskRecord t : tasks.values()) {
                if (t.state == TaskState.RUNNING) {
                    running++;
                } else {
                    pending++;
                }
            }
            String address = head.nodes().stream().filter(n -> n.nodeId().equals(config.nodeId()))
                    .map(Head.Node::address).findFirst().orElse("");
            return ClusterStatus.newBuilder().addNodes(NodeInfo.newBuilder()
                    .setNodeId(config.nodeId()).setIp(config.ip()).setAddress(address).setAlive(true)
                    .setCpusTotal(config.cpus()).setCpusUsed(total.cpus - available.cpus)
                    .setMemoryTotal(config.memory()).setMemoryUsed(used).setWorkers(workers.size()))
                    .setRunningTasks(running).setPendingTasks(pending).build();
        }
    }

    /** How many objects the node keeps (values, failures and pending results). */
    public int objectCount() {
        synchronized (lock) {
            return objects.size();
        }
    }

    public List<TaskInfo> listTasks() {
        synchronized (lock) {
            List<TaskInfo> all = new ArrayList<>(finished.values());
            for (TaskRecord t : tasks.values()) {
                all.add(info(t));
            }
            return all;
        }
    }

    private TaskInfo info(TaskRecord t) {
        return TaskInfo.newBuilder().setTaskId(t.id()).setName(t.spec.getName()).setState(t.state.name())
                .setKind(t.spec.getKind().name()).setPid(t.lastPid).setNodeId(config.nodeId())
                .setErrorType(t.errorType).setAttempt(t.attempt).setJobId(t.spec.getJobId())
                .setActorId(t.spec.getActorId()).setWorkerId(t.worker == null ? "" : t.worker.workerId).build();
    }

    public List<ActorInfo> listActors() {
        synchronized (lock) {
            List<ActorInfo> all = new ArrayList<>();
            for (ActorRecord a : actors.values()) {
                all.add(ActorInfo.newBuilder().setActorId(a.actorId).setClassName(a.className).setName(a.name)
                        .setState(a.state.name()).setPid(a.lastPid).setNodeId(config.nodeId())
                        .setRestarts(a.restarts).setDeathCause(a.deathCause).setJobId(a.jobId).build());
            }
            return all;
        }
    }

    public List<WorkerInfo> listWorkers() {
        synchronized (lock) {
            List<WorkerInfo> all = new ArrayList<>();
            for (WorkerProcess w : workers.values()) {
                all.add(WorkerInfo.newBuilder().setWorkerId(w.workerId).setPid(w.pid).setState(w.state())
                        .setJobId(w.job.jobId).setNodeId(config.nodeId())
                        .setCurrentTask(w.current == null ? "" : w.current.spec.getName())
                        .setActorId(w.actor == null ? "" : w.actor.actorId)
                        .setLogOut(w.outLog.toString()).setLogErr(w.errLog.toString())
                        .setStartedAtMs(w.startedAtMillis).setRssBytes(Rss.of(w.pid)).build());
            }
            return all;
        }
    }

    // =================================================================== shutdown

    /**
     * Stops every worker: politely (exit command, a grace period so their last output is relayed),
     * or with {@code force} by SIGKILL at once.
     */
    public void shutdown(boolean force) {
        List<WorkerProcess> all;
        reaper.shutdownNow();
        synchronized (lock) {
            stopping = true;
            all = List.copyOf(workers.values());
        }
        for (WorkerProcess w : all) {
            boolean starting;
            synchronized (lock) {
                starting = !w.registered;
            }
            if (force || starting) {
                // a worker that has not said hello has run no task and printed nothing worth waiting for
                w.kill();
            } else {
                w.send(WorkerCommand.newBuilder().setExit(Exit.getDefaultInstance()).build());
                w.closeCommands();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(force ? 5 : 3);
        for (WorkerProcess w : all) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !w.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    w.kill();
                    w.process.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                w.kill();
            }
            joinQuietly(w.outPump);
            joinQuietly(w.errPump);
        }
        plugins.close();
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            String joined = String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            return joined.isEmpty() ? "(empty)" : joined;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String describe(TaskRecord t) {
        return switch (t.spec.getKind()) {
            case ACTOR_METHOD -> "actor call " + t.spec.getName() + " (task_id=" + t.id() + ")";
            case ACTOR_CREATION -> "the creation of actor " + t.spec.getActorClass() + " (id=" + t.spec.getActorId() + ")";
            default -> "task " + t.spec.getName() + " (task_id=" + t.id() + ", attempt " + t.attempt + ")";
        };
    }

}
