package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.internal.head.Head;
import io.sonde.internal.node.actor.ActorFailures;
import io.sonde.internal.node.actor.ActorDirectory;
import io.sonde.internal.node.actor.ActorLifecycle;
import io.sonde.internal.node.actor.ActorRecord;
import io.sonde.internal.node.logs.LogRouter;
import io.sonde.internal.node.memory.KillPolicy;
import io.sonde.internal.node.memory.MemoryMonitor;
import io.sonde.internal.node.memory.NodeMemory;
import io.sonde.internal.node.object.DependencyResolver;
import io.sonde.internal.node.object.InlineObjectStore;
import io.sonde.internal.node.object.KeptObject;
import io.sonde.internal.node.object.ObjectListing;
import io.sonde.internal.node.object.ObjectStore;
import io.sonde.internal.node.object.SharedMemoryStore;
import io.sonde.internal.node.object.TaskResults;
import io.sonde.internal.node.sched.Cancellation;
import io.sonde.internal.node.sched.Placement;
import io.sonde.internal.node.sched.ResourceSet;
import io.sonde.internal.node.sched.Scheduler;
import io.sonde.internal.node.task.Attempt;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.internal.node.worker.WorkerExit;
import io.sonde.internal.node.worker.Worker;
import io.sonde.internal.node.worker.WorkerLauncher;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.internal.node.worker.WorkerStop;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.CancelOutcome;
import io.sonde.proto.CancelTask;
import io.sonde.proto.BorrowRefs;
import io.sonde.proto.ClientMessage;
import io.sonde.proto.PutObject;
import io.sonde.proto.ClusterStatus;
import io.sonde.proto.DriverInfo;
import io.sonde.proto.GetNamedActor;
import io.sonde.proto.MemoryReport;
import io.sonde.proto.MemorySample;
import io.sonde.proto.ProcessMemoryInfo;
import io.sonde.proto.NamedActorReply;
import io.sonde.proto.NodeMessage;
import io.sonde.proto.ObjectList;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.SpaceReserved;
import io.sonde.proto.RegisterClient;
import io.sonde.proto.Registered;
import io.sonde.proto.TaskDone;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskList;
import io.sonde.proto.TaskSpec;
import io.sonde.proto.TaskTaken;
import io.sonde.proto.WorkerCommand;
import io.sonde.proto.WorkerInfo;
import io.sonde.proto.WorkerMessage;
import io.sonde.spi.WorkerMemory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Runs the work of one node: schedules tasks on workers it starts, keeps the objects, drives
 * actors through their lifecycle, turns worker deaths into retries or failures, and relays worker
 * output to drivers. A facade: it owns the node's one lock ({@link NodeLock}), takes it for each
 * message from a client or a worker, dispatches the message to the parts, and wires them together.
 * The parts keep the state and make the decisions; they are plain objects called under the lock.
 *
 * <pre>
 *   client ─┬─ submit ──────────── TaskResults.resolve ─▶ TaskDispatch (tasks) │ ActorLifecycle (actors)
 *           ├─ put, subscribe ───▶ TaskResults ─(ready)─▶ owner, subscribers, then the tasks that waited
 *           ├─ cancel ───────────▶ Cancellation (sched)
 *           ├─ kill, named actor ▶ ActorLifecycle (actor)
 *           ├─ blocked ──────────▶ TaskDispatch ─▶ Scheduler.lendCpus
 *           ├─ class request ────▶ ClassShipping ─▶ the job's driver
 *           ├─ plug-in message ──▶ NodePlugins
 *           └─ closed ───────────▶ OwnerDeath: its tasks stop, its actors die, its pending objects fail
 *                                  (a driver's alive actors are closed first; detached ones live on)
 *   worker ─┬─ hello ────────────▶ WorkerSupervisor, then TaskDispatch (idle, or the actor's creation)
 *           ├─ done ─────────────▶ TaskDispatch ─▶ Retries │ ActorLifecycle
 *           └─ plug-in message ──▶ NodePlugins
 *   process exit ────────────────▶ WorkerSupervisor, then TaskDispatch ─▶ Retries │ ActorLifecycle
 *   status, lists ───────────────▶ NodeViews;  plug-ins read the node through PluginView
 * </pre>
 * The subpackages (task, object, sched, actor, worker, logs) never depend on this package. Where
 * a part needs one its package may not see, it declares a small interface the wiring fills: here
 * {@link TaskResults.Waiters}, {@link Cancellation.ActorQueues} and {@link Cancellation.Workers};
 * {@link WorkerSupervisor} is the actors' {@link ActorLifecycle.Workers}, {@link TaskDispatch}
 * the scheduler's {@link Scheduler.Leases}.
 *
 * <h2>How a task flows</h2>
 * <pre>
 *  client ─submit─▶ TaskResults.resolve ─(args pending)─▶ DependencyResolver: waits on each missing object
 *                        │                                          │ TaskResults: the object is ready
 *                        ▼                                          ▼ Waiters.argsReady
 *             TaskDispatch.enqueue ──schedule──▶ WorkerPool: idle worker of the job (or start one)
 *                                                       │ dispatch: execute (args inlined)
 *  owner ◀─ready─ TaskResults.complete ◀─ Retries ◀─ done ◀┘
 *                                            ▲
 *                 process exit ──────────────┘ (retry: Scheduler.requeueFirst; else WorkerCrashedException)
 * </pre>
 *
 * <h2>Thread safety</h2>
 * All state is guarded by one lock. Messages from clients and workers arrive on transport
 * threads, process exits on the node's send pool; each takes the lock, updates the parts and
 * sends. A send only enqueues: the thread delivers it once it lets go of the lock, one thread at a
 * time per connection ({@link SerialObserver}), so the node never calls into a client session, a
 * worker stream or an in-process driver while it holds its lock, and no lock order spans the node
 * and its peers.
 * Slow work (reading /proc, log files, waiting for log pumps) happens before or after the lock.
 * {@link #shutdown} waits for the lock only for a bounded time.
 *
 * <h2>Pitfalls</h2>
 * A cancelled running task keeps its worker (and its CPUs) until the worker returns it or is
 * killed: its result is dropped. The canceller learns which tasks still run after the grace.
 * A worker waiting in {@code get} lends its CPUs back ({@link Scheduler#lendCpus}), otherwise
 * nested tasks would deadlock a full node.
 */
public final class NodeManager {
    private static final long SHUTDOWN_WAIT_SECONDS = 5;
    private static final int ID_PREFIX_LENGTH = 6;
    /** How long a soft cancel waits for the running tasks it interrupted to end before it says they still run. */
    static final Duration CANCEL_GRACE = Duration.ofSeconds(1);
    private static final Duration FORCED_CANCEL_GRACE = Duration.ofSeconds(5);
    private static final Duration CANCEL_POLL = Duration.ofMillis(50);
    /**
     * How long a worker's exit waits for the messages it sent before it died. Its stream ends
     * within milliseconds of the process (the kernel closes its socket); the bound is for a
     * transport that never says so.
     */
    private static final Duration STREAM_END_WAIT = Duration.ofSeconds(2);

    private final NodeLock lock = new NodeLock();
    private final NodeConfig config;
    private final Head head;
    /**
     * The first characters of the node's id, in every id this node mints: client ids start with it,
     * worker ids follow their {@code w} with it, and task and object ids start with their client's
     * id. So ids stay unique across the nodes of a cluster, and remain words of hex digits that
     * are easy to select and type. Nothing parses ids.
     */
    private final String idPrefix;
    private final AtomicLong clientCounter = new AtomicLong();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            daemon(n -> "sonde-idle-reaper"));
    /**
     * Threads that deliver the rest of a connection's queue when a sender has delivered its share
     * (see {@link SerialObserver}), and that handle worker exits: never under the lock.
     */
    private final ExecutorService sendPool = Executors.newCachedThreadPool(daemon(n -> "sonde-node-send-" + n));

    private final Map<String, Job> jobs = new HashMap<>();
    /**
     * Jobs whose driver exited while detached actors of theirs live on: their workers still start
     * (a restart) and load code as the job's did. Never listed as drivers.
     */
    private final Map<String, Job> lingering = new HashMap<>();
    /** The clients of workers, by worker id: whose work a worker's exit ends (see {@link OwnerDeath}). */
    private final Map<String, ClientSession> workerClients = new HashMap<>();
    /** Puts whose owner actor is not alive yet ({@code Sonde.put(value, owner)}), oldest first. Guarded by the lock. */
    private final List<OwnerPut> ownerPuts = new ArrayList<>();
    /** Every open session: the object store's pressure reaches them all. */
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final TaskTable tasks;
    /** The bytes of large values, in shared memory; {@link #objects} keeps their books with the others'. */
    private final SharedMemoryStore<ClientSession> shared;
    private final ObjectStore<ClientSession> objects;
    private final DependencyResolver resolver;
    private final TaskResults<ClientSession> results;
    private final Scheduler scheduler;
    /** Which node each task or actor goes to; the cluster is this node alone for now. */
    private final Placement placement = new Placement();
    private final TaskDispatch dispatch;
    private final Cancellation cancellation;
    private final WorkerPool pool;
    private final WorkerSupervisor workers;
    private final ActorDirectory actors = new ActorDirectory();
    private final ActorLifecycle actorLifecycle;
    private final NodePlugins plugins;
    private final ClassShipping classes = new ClassShipping();
    private final NodeViews views;
    private final OwnerDeath ownerDeath;
    private final MemoryMonitor memoryMonitor;
    private final MonitorView monitorView = new MonitorView();

    public NodeManager(NodeConfig config, Head head, WorkerLauncher launcher) {
        this(config, head, launcher, PipelineDepth.fromEnvironment());
    }

    /** @param depth how many tasks a leased worker has at once (see {@link PipelineDepth}) */
    NodeManager(NodeConfig config, Head head, WorkerLauncher launcher, PipelineDepth depth) {
        this.config = config;
        this.head = head;
        this.idPrefix = config.nodeId().substring(0, Math.min(ID_PREFIX_LENGTH, config.nodeId().length()));
        this.tasks = new TaskTable(config.nodeId());
        Path spill = config.objectStore().spillDir() == null ? config.spillDir()
                : config.spillDir().resolve("sonde-" + config.nodeId()); // a directory of the user's: only ours goes
        this.shared = new SharedMemoryStore<>(SharedMemoryStore.directoryFor(config.nodeId(), config.sessionDir()), spill,
                config.objectStore().capacityFor(config.memory()),
                m -> System.err.println("sonde node " + config.nodeId() + ": " + m));
        NodeMessage collect = NodeMessage.newBuilder().setCollectGarbage(io.sonde.proto.CollectGarbage.newBuilder()
                .setReason("the object store is full")).build();
        shared.onPressure(() -> sessions.forEach(s -> s.send(collect)));
        InlineObjectStore<ClientSession> inline = new InlineObjectStore<>(v -> {
            if (v.getSharedSize() > 0) {
                shared.free(v.getSharedId());
            }
        });
        // An actor's anchor no process holds any more: the actor's last handle went. Handed to the
        // reaper's thread, which ends the actor under the lock once the store's books are done.
        inline.onUnused(id -> {
            ActorRecord gone = actors.get(id);
            if (gone != null) {
                gone.outOfScope(true); // from now on no name lookup finds it
                try {
                    reaper.execute(() -> lock.run(() -> handlesGone(id)));
                } catch (RejectedExecutionException stopping) {
                    // the node stops: its actors end with it
                }
            }
        });
        this.objects = inline;
        this.resolver = new DependencyResolver(objects);
        this.results = new TaskResults<>(objects, resolver, tasks, new Wakeups());
        this.scheduler = new Scheduler(new ResourceSet(config.cpus(), config.memory(), config.resources()));
        this.pool = new WorkerPool(config.spareWorkers());
        this.plugins = new NodePlugins(config, new PluginView(lock, pool, tasks, this::driverOf));
        this.workers = new WorkerSupervisor(idPrefix, launcher, pool, new LogRouter(config.ip()), plugins, this::jobOf,
                sendPool, this::onWorkerExit, this::hostActor, config.cpus());
        this.dispatch = new TaskDispatch(scheduler, pool, resolver, results, workers, config.ip(),
                this::admitActor, this::later, depth);
        this.actorLifecycle = new ActorLifecycle(actors, tasks, scheduler, results, resolver, head, workers,
                dispatch::schedule);
        this.cancellation = new Cancellation(tasks, scheduler, results, actorLifecycle::dropQueued,
                new Cancellation.Workers() {
                    @Override
                    public void stop(TaskRecord t, boolean kill) {
                        pool.stop(t, kill);
                    }

                    @Override
                    public boolean runs(TaskRecord t) {
                        return pool.runs(t);
                    }
                });
        this.views = new NodeViews(config, head, tasks, scheduler, pool, actors);
        this.ownerDeath = new OwnerDeath(tasks, scheduler, results, actorLifecycle, pool);
        // Idle workers exit, keeping as many per job as the node has CPUs (see WorkerPool#reap),
        // and every worker whose client owns work: its exit would end that work.
        int keep = Math.max(1, (int) Math.ceil(scheduler.total().cpus()));
        reaper.scheduleWithFixedDelay(() -> lock.run(() -> pool.reap(keep, w -> ownsWork(w.id()))), 2, 2,
                TimeUnit.SECONDS);
        reaper.scheduleWithFixedDelay(this::warnWaiting, 1, 1, TimeUnit.SECONDS);
        reaper.scheduleWithFixedDelay(() -> lock.run(this::forgetEndedJobs), 2, 2, TimeUnit.SECONDS);
        // puts waiting for their owner actor: tried at the actor's events, and each second for
        // the deaths that come without one of this node's worker events (a kill while pending)
        reaper.scheduleWithFixedDelay(() -> lock.run(() -> {
            if (!ownerPuts.isEmpty()) {
                recheckOwnerPuts();
            }
        }), 1, 1, TimeUnit.SECONDS);
        this.memoryMonitor = new MemoryMonitor(config.nodeId(), config.ip(), config.memorySettings(),
                NodeMemory.detect(config.memoryBudget()), monitorView).start();
    }

    /** Under the lock; used by {@link #warnWaiting} only. */
    private final WaitWarnings waitWarnings = new WaitWarnings();

    /** Tells drivers whose work waits for resources that running work holds, once per shape (see {@link WaitWarnings}). */
    private void warnWaiting() {
        lock.run(() -> waitWarnings.collect(scheduler, actors.all(), pool.all(), System.nanoTime())
                .forEach(l -> workers.tellDriver(l.jobId(), l.text()))); // sends only enqueue
    }

    /** How a worker's death came about, as the node knows it. */
    private enum Death { FOR_MEMORY, UNASKED, LET_GO }

    /**
     * Whether a worker that exited did so with work nobody asked to stop: a task not cancelled, or
     * an actor not killed. Idle workers the node let go, and workers of a stopping node, are not.
     */
    private boolean diedUnasked(Worker w) {
        TaskRecord t = w.current();
        ActorRecord a = w.actor();
        return !workers.stopping() && ((t != null && !t.cancelled())
                || (a != null && a.state() != ActorRecord.State.DEAD && !a.killRequested()));
    }

    /** Runs {@code work} under the lock after {@code delayMs}, then schedules: a retry's backoff. */
    private void later(long delayMs, Runnable work) {
        try {
            reaper.schedule(() -> lock.run(() -> {
                work.run();
                dispatch.schedule();
            }), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the node stops: its tasks end with it
        }
    }

    /** The shared-memory object store's figures now: room, use, spills. Its own lock, not the node's. */
    public io.sonde.proto.ObjectStoreStats objectStoreStats() {
        return shared.stats();
    }

    /** The node's memory monitor. */
    public MemoryMonitor memoryMonitor() {
        return memoryMonitor;
    }

    /**
     * The node's memory: its latest sample, or those of the last {@code lastSeconds} (one per
     * second, an hour at most). Reads the monitor's own records, not the node's lock.
     */
    public MemoryReport memoryReport(int lastSeconds) {
        MemoryMonitor m = memoryMonitor;
        MemoryReport.Builder r = MemoryReport.newBuilder().setNodeId(config.nodeId()).setNodeIp(config.ip())
                .setMonitorOn(m.settings().enabled()).setRefreshMs(m.settings().refreshMs())
                .setThreshold(m.settings().threshold()).setSource(m.memory().source())
                .setOomKills(m.oomKillsSinceStart()).setSamplesKept(m.history().size());
        List<MemoryMonitor.Sample> samples = lastSeconds <= 0
                ? m.last().map(List::of).orElse(List.of())
                : m.history().since(System.currentTimeMillis() - lastSeconds * 1000L);
        for (MemoryMonitor.Sample s : samples) {
            MemorySample.Builder b = MemorySample.newBuilder().setAtMs(s.atMillis()).setUsedBytes(s.used())
                    .setTotalBytes(s.total());
            s.processes().forEach(p -> b.addProcesses(ProcessMemoryInfo.newBuilder().setPid(p.pid()).setLabel(p.label())
                    .setRssBytes(p.rss()).setOwnedBytes(p.owned())));
            r.addSamples(b);
        }
        return r.build();
    }

    /** The node as its memory monitor sees it: for tests of the kill on in-process workers. */
    MemoryMonitor.Node memoryView() {
        return monitorView;
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
                out, lock, sendPool);
        sessions.add(session);
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
            case SUBMIT -> lock.run(() -> submit(s, m.getSubmit()));
            case PUT -> lock.run(() -> {
                if (!m.getPut().getOwnerActorId().isEmpty()) {
                    if (!giveToOwner(s, m.getPut())) {
                        ownerPuts.add(new OwnerPut(s, m.getPut()));
                    }
                    return;
                }
                ObjectValue v = m.getPut().getValue();
                if (v.getSharedSize() > 0) {
                    shared.sealed(v.getSharedId(), v.getSharedSize(), v.getArenaGeneration() != 0);
                }
                results.put(s, m.getPut().getObjectId(), v);
                objects.callSite(m.getPut().getObjectId(), m.getPut().getCallSite());
                objects.escapesArrived(v.getContainedIdsList());
            });
            case RESERVE -> shared.reserve(s, s.jobId, m.getReserve().getObjectId(), m.getReserve().getSize(),
                    m.getReserve().getMayRecycle(), m.getReserve().getArena(),
                    g -> s.send(NodeMessage.newBuilder().setReservedSpace(
                            SpaceReserved.newBuilder().setRequestId(m.getReserve().getRequestId())
                                    .setError(g.error() == null ? "" : g.error() + createdAt(g.holders()))
                                    .setRecycled(g.recycled() == null ? "" : g.recycled())
                                    .setArenaOffset(g.arenaOffset()).setArenaGeneration(g.generation())).build()));
            case VIEWED -> {
                shared.viewed(m.getViewed().getObjectIdsList());
                s.send(NodeMessage.newBuilder().setBorrowed(m.getViewed().toBuilder().clearObjectIds()).build());
            }
            case RESTORED -> shared.restored(m.getRestored().getObjectIdsCount(), m.getRestored().getBytes());
            case SUBSCRIBE -> m.getSubscribe().getObjectIdsList().forEach(id -> lock.run(() -> results.subscribe(s, id)));
            case CANCEL -> onCancel(s, m.getCancel());
            case KILL -> lock.run(() -> {
                actorLifecycle.kill(m.getKill().getActorId(), m.getKill().getNoRestart());
                if (!ownerPuts.isEmpty()) {
                    recheckOwnerPuts();
                }
            });
            case GET_NAMED_ACTOR -> s.send(lock.read(() -> namedActor(s, m.getGetNamedActor())));
            case BLOCKED -> lock.run(() -> dispatch.blocked(s.workerId, m.getBlocked().getBlocked()));
            case REGISTER -> onRegister(s, m.getRegister());
            case FETCH_CLASS -> classes.fetch(s, m.getFetchClass(), lock.read(() -> driverOf(s.jobId)));
            case RELEASE -> lock.run(() -> {
                m.getRelease().getObjectIdsList().forEach(id -> {
                    objects.release(id, s);
                    shared.abandon(id, s); // a reservation whose write failed
                });
                m.getRelease().getRefsList().forEach(r -> objects.release(r.getObjectId(), s, r.getEscapes(),
                        r.getBorrowed()));
            });
            case FREE -> lock.run(() -> m.getFree().getObjectIdsList().forEach(id -> objects.free(id, m.getFree().getFreed())));
            case BORROW -> lock.run(() -> {
                m.getBorrow().getObjectIdsList().forEach(id -> objects.borrow(id, s));
                s.send(NodeMessage.newBuilder().setBorrowed(m.getBorrow().toBuilder().clearObjectIds()).build());
            });
            case PLUGIN -> plugins.clientMessage(s, m.getPlugin());
            case CLASS_BYTES -> classes.bytes(m.getClassBytes());
            default -> {
            }
        }
    }

    /**
     * Cancels; when the client asked ({@code request_id}), tells it what the cancel did as soon as
     * every running task it reached has left its worker, or once the grace is over for those
     * that did not: a task that ignores interrupts is reported as still running, never as stopped.
     */
    private void onCancel(ClientSession s, CancelTask c) {
        List<Cancellation.Reached> reached = lock.read(() -> cancellation.cancel(c.getObjectId(), c.getForce(),
                c.getRecursive()));
        if (c.getRequestId() != 0) {
            // A killed worker's exit is seen once its output is drained: allow it longer than an interrupt.
            Duration grace = c.getForce() ? FORCED_CANCEL_GRACE : CANCEL_GRACE;
            reportCancel(s, c.getRequestId(), reached, System.nanoTime() + grace.toNanos());
        }
    }

    private void reportCancel(ClientSession s, long requestId, List<Cancellation.Reached> reached, long deadline) {
        lock.run(() -> {
            if (reached.stream().anyMatch(cancellation::stillRuns) && System.nanoTime() < deadline) {
                try {
                    reaper.schedule(() -> reportCancel(s, requestId, reached, deadline), CANCEL_POLL.toMillis(),
                            TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException shuttingDown) {
                    // the node stops: tell what is known now
                }
            }
            CancelOutcome.Builder o = CancelOutcome.newBuilder().setRequestId(requestId);
            reached.forEach(r -> o.addTasks(cancellation.outcome(r)));
            s.send(NodeMessage.newBuilder().setCancelOutcome(o).build()); // only enqueues
        });
    }

    private void onRegister(ClientSession s, RegisterClient r) {
        lock.run(() -> {
            s.driver = r.getIsDriver();
            if (s.driver) {
                s.pid = r.getDriverPid();
                s.jobId = head.newJobId();
                // unset: an anonymous namespace of the job's own, as Ray's
                s.namespace = r.getNamespace().isEmpty() ? "anonymous-" + java.util.UUID.randomUUID() : r.getNamespace();
                Job job = new Job(s.jobId, s, r.getClasspathList(), r.getJvmOptionsList(), r.getWorkingDir(),
                        r.getLogToDriver(), s.namespace);
                jobs.put(s.jobId, job);
                plugins.jobStarted(s.jobId, r.getPluginOptionsMap());
                pool.addJob(s.jobId);
                // Start one worker at once so the first task does not pay a whole worker start.
                workers.start(s.jobId);
            } else {
                s.jobId = r.getJobId();
                s.workerId = r.getWorkerId();
                Worker w = pool.get(s.workerId);
                s.pid = w == null ? 0 : w.pid();
                Job job = jobOf(s.jobId);
                s.namespace = job == null ? "" : job.namespace();
                if (!s.workerId.isEmpty()) {
                    workerClients.put(s.workerId, s);
                    if (!ownerPuts.isEmpty()) {
                        recheckOwnerPuts(); // an alive actor's client, which owns what waited for it
                    }
                }
            }
        });
        s.send(NodeMessage.newBuilder().setRegistered(Registered.newBuilder()
                .setJobId(s.jobId).setNodeId(config.nodeId()).setNodeIp(config.ip())
                .setSessionDir(config.sessionDir().toString()).setClientId(s.clientId)
                .setObjectStoreDir(shared.directory().toString()).setObjectSpillDir(shared.spillDirectory().toString())
                .setObjectStoreThreshold(config.objectStore().threshold())
                .setObjectStoreArena(shared.arenaFile().toString())
                .setObjectStoreArenaLength(shared.arenaLength()).setNamespace(s.namespace)).build());
    }

    /**
     * A client's stream ended: its driver or its worker is gone, and with it the work it owns
     * ({@link OwnerDeath}). Once per session.
     */
    private void onClientClosed(ClientSession s) {
        s.complete();
        sessions.remove(s);
        shared.clientClosed(s, s.clientId, s.driver || s.workerId.isEmpty() ? null : s.workerId);
        lock.run(() -> {
            objects.clientClosed(s); // its borrows, and its refs to what it owns
            ownerPuts.removeIf(o -> o.putter() == s); // puts no one waits for any more
            if (!s.driver) {
                if (workerClients.get(s.workerId) == s) {
                    workerClients.remove(s.workerId);
                }
                ownerDeath.workerClientClosed(s);
                dispatch.schedule();
                return;
            }
            Job job = jobs.remove(s.jobId);
            if (job == null) {
                return;
            }
            // The driver is gone: its work has no one to report to. Stop its workers; its tasks end
            // failed (with why) and stay listed; its objects go. Its detached actors live on, with
            // their workers; its other alive actors are ended as by terminate(), their close()
            // running within the grace, then their workers are killed.
            String jobId = job.jobId();
            plugins.jobEnded(jobId);
            waitWarnings.jobEnded(jobId);
            String owner = OwnerDeath.driverGone(jobId);
            Set<String> spared = new java.util.HashSet<>();
            Set<String> sparedClients = new java.util.HashSet<>();
            List<String> closing = new ArrayList<>();
            for (ActorRecord a : actorLifecycle.liveOfJob(jobId)) {
                if (a.detached()) {
                    spared.add(a.workerId());
                } else if (actorLifecycle.closeAtJobEnd(a, owner, ActorFailures.ownerDied(a, owner))) {
                    spared.add(a.workerId());
                    closing.add(a.workerId());
                }
            }
            spared.remove("");
            for (String workerId : spared) {
                ClientSession c = workerClients.get(workerId);
                if (c != null) {
                    sparedClients.add(c.clientId);
                }
            }
            if (actorLifecycle.liveOfJob(jobId).stream().anyMatch(ActorRecord::detached)) {
                lingering.put(jobId, job);
            }
            for (Worker w : pool.removeJob(jobId)) {
                if (!spared.contains(w.id())) {
                    w.closeCommands();
                    w.kill();
                }
            }
            for (String workerId : closing) {
                killAfterGrace(workerId);
            }
            scheduler.removeJob(jobId);
            ownerDeath.driverExited(s, sparedClients::contains);
            actorLifecycle.removeJob(jobId);
            resolver.forgetObjects(objects.removeOwnedBy(o -> jobId.equals(o.jobId)
                    && !sparedClients.contains(o.clientId)));
            if (sparedClients.isEmpty()) {
                shared.jobEnded(jobId);
            }
        });
    }

    /** A put whose object an actor is to own, waiting for the actor to be alive. */
    private record OwnerPut(ClientSession putter, PutObject put) {
    }

    /**
     * {@code Sonde.put(value, owner)}: when the actor is alive, its worker's client becomes the
     * object's owner, holding no ref of its own, and the putter borrows it; when the actor is dead
     * (or unknown), the putter is told why and nothing is kept. Returns false while the actor is
     * not alive yet: the put waits ({@link #recheckOwnerPuts}). Under the lock; only enqueues.
     */
    private boolean giveToOwner(ClientSession s, PutObject p) {
        ActorRecord a = actors.get(p.getOwnerActorId());
        String error = "";
        if (a == null) {
            error = "Sonde.put(value, owner): actor " + p.getOwnerActorId() + " is not on this cluster, so it cannot own"
                    + " the object; the object is not put. Give a handle of an actor of this cluster.";
        } else if (a.state() == ActorRecord.State.DEAD) {
            error = "Sonde.put(value, owner): " + a.describe() + " cannot own the object: it is dead ("
                    + a.deathCause() + "); the object is not put. Put it with another owner, or with none.";
        } else {
            ClientSession owner = a.state() == ActorRecord.State.ALIVE ? workerClients.get(a.workerId()) : null;
            if (owner == null) {
                return false; // starting or restarting: the put waits for the actor
            }
            ObjectValue v = p.getValue();
            if (v.getSharedSize() > 0) {
                shared.sealed(v.getSharedId(), v.getSharedSize(), v.getArenaGeneration() != 0);
            }
            results.put(owner, p.getObjectId(), v);
            objects.borrow(p.getObjectId(), s);
            objects.release(p.getObjectId(), owner); // the actor holds no ref itself: its borrowers keep the object
            objects.callSite(p.getObjectId(), p.getCallSite());
            objects.escapesArrived(v.getContainedIdsList());
        }
        s.send(NodeMessage.newBuilder().setBorrowed(BorrowRefs.newBuilder().setRequestId(p.getRequestId())
                .setError(error)).build());
        return true;
    }

    /** The puts waiting for their owner actors, tried again: after an actor's event. Under the lock. */
    private void recheckOwnerPuts() {
        ownerPuts.removeIf(o -> giveToOwner(o.putter(), o.put()));
    }

    /** How long an actor ended at its driver's exit has for its close() before its worker is killed. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    /** Kills the worker once {@link #CLOSE_GRACE} is over, unless it exited by then. */
    private void killAfterGrace(String workerId) {
        try {
            reaper.schedule(() -> lock.run(() -> {
                Worker w = pool.get(workerId);
                if (w != null && !w.dead()) {
                    w.closeCommands();
                    w.kill();
                }
            }), CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the node stops: it stops its workers itself
        }
    }

    /** A lingering job whose detached actors are all dead ends for good: its actors are no longer listed. Under the lock. */
    private void forgetEndedJobs() {
        lingering.keySet().removeIf(jobId -> {
            if (!actorLifecycle.liveOfJob(jobId).isEmpty()) {
                return false;
            }
            actorLifecycle.removeJob(jobId);
            return true;
        });
    }

    /** The last handle of the actor went (its anchor is unused): on the reaper's thread. */
    private void handlesGone(String actorId) {
        actorLifecycle.handlesGone(actorId);
    }

    /** The job, live or lingering (its driver left, detached actors of it live); null when neither. Under the lock. */
    private Job jobOf(String jobId) {
        Job j = jobs.get(jobId);
        return j != null ? j : lingering.get(jobId);
    }

    /** Whether the client of the worker owns tasks that are not done or actors that are not dead. */
    private boolean ownsWork(String workerId) {
        ClientSession c = workerClients.get(workerId);
        return c != null && (tasks.ownsLiveTask(c.clientId) || !actorLifecycle.ownedBy(c.clientId).isEmpty());
    }

    /** The driver of the job, or null when the job ended (or never was). */
    private ClientSession driverOf(String jobId) {
        Job job = jobs.get(jobId);
        return job == null ? null : job.driver();
    }

    private NodeMessage namedActor(ClientSession s, GetNamedActor g) {
        NamedActorReply.Builder r = NamedActorReply.newBuilder().setRequestId(g.getRequestId());
        String namespace = g.getNamespace().isEmpty() ? s.namespace : g.getNamespace();
        actorLifecycle.named(namespace, g.getName()).ifPresent(a -> {
            r.setFound(true).setActorId(a.actorId()).setActorClass(a.className()).setNamespace(namespace)
                    .setDetached(a.detached());
            if (g.getBorrow() && !a.detached()) {
                objects.borrow(a.actorId(), s); // its anchor: the client's handle holds it from now on
            }
        });
        return NodeMessage.newBuilder().setNamedActor(r).build();
    }

    // =================================================================== submission and scheduling

    /** This node as a scheduler sees it: its resources, and what is free now (copies). */
    public Placement.NodeView nodeView() {
        return lock.read(() -> new Placement.NodeView(config.nodeId(), scheduler.total().copy(),
                scheduler.available().copy(), true));
    }

    /**
     * A client's task: recorded, placed, and queued or waiting for its arguments. The refs
     * serialized into it arrive with it, once the task holds them (see DependencyResolver#resolve).
     */
    private void submit(ClientSession s, TaskSpec spec) {
        accept(s, spec);
        objects.escapesArrived(spec.getContainedRefsList());
    }

    private void accept(ClientSession s, TaskSpec spec) {
        TaskRecord t = new TaskRecord(spec);
        t.owner(s.clientId);
        if (spec.getKind() == TaskKind.NORMAL) {
            s.taskSubmitted();
            t.onEnd(s::taskEnded); // the client keeps a bounded number of tasks here
        }
        tasks.add(t);
        objects.create(spec.getReturnId(), s);
        objects.callSite(spec.getReturnId(), spec.getCallSite());
        Placement.Choice place = spec.getKind() == TaskKind.ACTOR_METHOD ? null
                : placement.choose(spec, List.of(new Placement.NodeView(config.nodeId(), scheduler.total(),
                        scheduler.available(), true))); // read under the lock, not kept
        if (place != null && !place.placed()) {
            // No node can ever run it, or its node affinity cannot hold: it fails now instead of
            // letting its get wait forever. The cluster is this node alone, so a placed task runs here.
            String msg = place.why() == null ? Failures.infeasible(t, config.nodeId(), scheduler.total())
                    : Failures.unschedulable(t, place.why());
            if (t.kind() == TaskKind.ACTOR_CREATION) {
                actorLifecycle.infeasible(t, msg, actorNamespace(s, spec));
            } else {
                results.fail(t, Failures.infeasibleTask(msg));
            }
            return;
        }
        switch (spec.getKind()) {
            case ACTOR_CREATION -> {
                if (!spec.getDetached()) {
                    // its anchor, which the handles hold (see ActorHandleImpl): owned by the creator
                    objects.create(spec.getActorId(), s);
                    objects.complete(spec.getActorId(), ANCHOR);
                }
                actorLifecycle.create(t, actorNamespace(s, spec));
            }
            case ACTOR_METHOD -> actorLifecycle.call(t);
            default -> {
                if (results.resolve(t)) {
                    dispatch.enqueue(t);
                }
            }
        }
    }

    /** The value of an actor's anchor: never read, only counted. */
    private static final ObjectValue ANCHOR = ObjectValue.newBuilder().setData(
            com.google.protobuf.ByteString.copyFromUtf8("actor handle")).build();

    /** The namespace a new actor's name is unique in: its own, else its creator's job's. */
    private static String actorNamespace(ClientSession s, TaskSpec spec) {
        return spec.getNamespace().isEmpty() ? s.namespace : spec.getNamespace();
    }

    // =================================================================== workers

    /** Opens the executor stream of a worker; the worker introduces itself with a hello. */
    public StreamObserver<WorkerMessage> attach(StreamObserver<WorkerCommand> transport) {
        SerialObserver<WorkerCommand> commands = new SerialObserver<>(transport, lock, sendPool);
        return new StreamObserver<>() {
            private Worker worker;

            @Override
            public void onNext(WorkerMessage m) {
                if (m.hasHello()) {
                    worker = lock.read(() -> onHello(m.getHello().getWorkerId(), commands));
                } else if (m.hasDone() && worker != null) {
                    lock.run(() -> onTaskDone(worker, m.getDone()));
                } else if (m.hasReturned() && worker != null) {
                    lock.run(() -> {
                        if (worker.actor() == null) {
                            dispatch.returned(worker, m.getReturned());
                        }
                    });
                } else if (m.hasPlugin() && worker != null) {
                    plugins.workerMessage(worker, m.getPlugin());
                }
            }

            @Override
            public void onError(Throwable t) {
                // The process exit handler decides what the worker's task becomes, once it knows
                // the stream delivered everything.
                if (worker != null) {
                    worker.streamEnded();
                }
            }

            @Override
            public void onCompleted() {
                if (worker != null) {
                    worker.streamEnded();
                }
                commands.onCompleted();
            }
        };
    }

    private Worker onHello(String workerId, SerialObserver<WorkerCommand> commands) {
        Worker w = workers.hello(workerId, commands);
        if (w == null) {
            return null;
        }
        if (w.actor() == null) {
            dispatch.idle(w);
        } else {
            hostActor(w);
            dispatch.schedule(); // one worker fewer starting: an actor that waited may start its own
        }
        return w;
    }

    /** The worker is the actor's host, started for it or taken idle: it runs the actor's creation. */
    private void hostActor(Worker w) {
        if (w.actor().state() == ActorRecord.State.DEAD) {
            w.kill(); // killed or given up on while its JVM started
        } else {
            dispatch.dispatch(w.actor().creation(), w);
        }
    }

    private void onTaskDone(Worker w, TaskDone done) {
        // The receipt, when the worker asked for one: it keeps each result in its journal until
        // the node has it (see ResultJournal), and waits for a receipt before its next task only
        // when the journal is full or the result too large for it. Sent first, before any task
        // this result lets the node send, so that such a wait costs one round trip at most.
        if (done.getWantsReceipt()) {
            w.send(WorkerCommand.newBuilder().setTaken(TaskTaken.newBuilder().setTaskId(done.getTaskId())
                    .setAttempt(done.getAttempt())).build());
        }
        takeResult(done, () -> {
            if (w.actor() != null) {
                actorLifecycle.taskDone(w.actor(), done);
                if (!ownerPuts.isEmpty()) {
                    recheckOwnerPuts(); // the actor may be alive now
                }
            } else {
                dispatch.taskDone(w, done);
            }
        });
    }

    /**
     * Where the objects that fill a full store were created, for its message: their call sites
     * when their creators recorded them, else how to have them recorded. Off the store's monitor.
     */
    private String createdAt(List<String> holders) {
        if (holders.isEmpty()) {
            return "";
        }
        List<String> sites = lock.read(() -> holders.stream()
                .map(id -> {
                    String site = objects.callSiteOf(id);
                    return site.isEmpty() ? null : id + " at " + site;
                })
                .filter(java.util.Objects::nonNull).toList());
        if (sites.isEmpty()) {
            return " (Where each was created is not recorded: run the driver with SONDE_RECORD_REF_CREATION_SITES=1 to"
                    + " see it here and in `sonde memory`.)";
        }
        return " Where the largest were created: " + String.join("; ", sites) + ".";
    }

    /**
     * Hands a worker's result to {@code handle} with the object store's books around it: a result
     * written to the store is sealed first; one the node did not keep (a stale attempt's, a
     * cancelled task's) is freed after; and the refs serialized into it have arrived.
     */
    private void takeResult(TaskDone done, Runnable handle) {
        ObjectValue r = done.getResult();
        boolean inStore = r.getSharedSize() > 0;
        if (inStore) {
            shared.sealed(r.getSharedId(), r.getSharedSize(), r.getArenaGeneration() != 0);
        }
        handle.run();
        if (inStore) {
            ObjectValue kept = objects.value(done.getTaskId()); // task ids are their return ids
            if (kept == null || !r.getSharedId().equals(kept.getSharedId())) {
                shared.free(r.getSharedId());
            }
        }
        objects.escapesArrived(r.getContainedIdsList());
    }

    /**
     * Called once per worker when its process has exited, however it ended. The process is the
     * authority: a broken stream alone does not mean the worker died.
     */
    private void onWorkerExit(Worker w, int exitCode) {
        // The results the worker sent before it died are final: handle them before its exit,
        // which otherwise blames the oldest call without a result for the crash. gRPC hands
        // every message of the stream to the node before it reports the stream's end; what the
        // stream never carried is in the worker's result journal. (Past the bound, a late result
        // of a call that was failed for the crash is dropped as stale.)
        if (lock.read(w::registered)) {
            w.awaitStreamEnd(STREAM_END_WAIT);
        }
        // Let the pumps drain so the error can point at complete log files and the worker's exit
        // report is read; what the worker left behind is read here, off the lock.
        w.handle().awaitOutput();
        // How it died, as the node knows it: killed for memory, died with work nobody asked to
        // stop, or let go. Only an unasked death may be the kernel's: only then is its log read.
        Death death = lock.read(() -> w.memoryKill() != null ? Death.FOR_MEMORY
                : diedUnasked(w) ? Death.UNASKED : Death.LET_GO);
        WorkerExit exit = WorkerExit.of(w.handle(), exitCode, death == Death.UNASKED);
        switch (death) { // counters only
            case FOR_MEMORY -> memoryMonitor.workerKilledForMemory();
            case UNASKED -> memoryMonitor.workerCrashed();
            default -> {
            }
        }
        // The results it kept before sending them: those the stream did not deliver are taken
        // now (the worker does not wait for each receipt); the ones delivered are stale, dropped.
        List<TaskDone> journaled = w.handle().journaledResults();
        lock.run(() -> {
            workers.exited(w, exit);
            for (TaskDone done : journaled) {
                takeResult(done, () -> {
                    if (w.actor() != null) {
                        actorLifecycle.journaledResult(w.actor(), done);
                    } else {
                        dispatch.taskDone(w, done);
                    }
                });
            }
            shared.resultsReplayed(w.id()); // what it was writing and never finished goes
            if (w.actor() != null) {
                actorLifecycle.workerDied(w.actor(), w.id(), exit.brief(),
                        Failures.actorWorkerDied(w, config.ip(), exit));
            } else {
                dispatch.workerDied(w, exit);
            }
            dispatch.schedule();
            if (!ownerPuts.isEmpty()) {
                recheckOwnerPuts(); // an actor may have died, or its restarted worker be alive
            }
        });
    }

    // =================================================================== what the parts reach through the node

    /** The scheduler admitted an actor's creation: it starts (wired here: dispatch is built before the actors). */
    private void admitActor(TaskRecord creation) {
        actorLifecycle.admitted(creation);
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
                case NORMAL -> dispatch.enqueue(t);
                case ACTOR_METHOD, ACTOR_CREATION -> actorLifecycle.argsReady(t);
                default -> {
                }
            }
        }

        @Override
        public void argFailed(TaskRecord t, String objectId, ObjectValue failure) {
            if (t.kind() == TaskKind.NORMAL) {
                results.fail(t, failure);
            } else {
                actorLifecycle.argFailed(t, objectId, failure);
            }
        }
    }

    /**
     * The node as its memory monitor sees it: what each worker runs, read under the lock; its kill,
     * recorded under the lock and carried out after it; its line to the drivers.
     */
    private final class MonitorView implements MemoryMonitor.Node {
        @Override
        public MemoryMonitor.Snapshot snapshot() {
            return lock.read(() -> {
                List<KillPolicy.Candidate> candidates = new ArrayList<>();
                List<MemoryMonitor.Labelled> processes = new ArrayList<>();
                long self = ProcessHandle.current().pid();
                String selfLabel = "node manager";
                for (Job j : jobs.values()) {
                    if (j.driver().pid == self) {
                        selfLabel = "node manager and driver (job " + j.jobId() + ")";
                    } else if (j.driver().pid > 0) {
                        processes.add(new MemoryMonitor.Labelled(j.driver().pid, "driver (job " + j.jobId() + ")", false));
                    }
                }
                processes.add(new MemoryMonitor.Labelled(self, selfLabel, false));
                Map<Long, String> idle = new HashMap<>();
                for (Worker w : pool.all()) {
                    KillPolicy.Candidate c = candidate(w);
                    if (c != null) {
                        candidates.add(c);
                    } else if (!w.dead() && w.memoryKill() == null) {
                        idle.put(w.pid(), w.id()); // no task, no actor
                    }
                    processes.add(new MemoryMonitor.Labelled(w.pid(), "worker " + w.id() + " ("
                            + (c != null ? c.work().replaceFirst("^the ", "") + ", " + c.ref() : "idle") + ")", true));
                }
                return new MemoryMonitor.Snapshot(candidates, processes, idle, shared.held(), shared.idleHeld());
            });
        }

        /** What the worker runs, as the kill policy ranks it; null when it runs nothing or is dying. */
        private KillPolicy.Candidate candidate(Worker w) {
            if (w.dead() || w.memoryKill() != null) {
                return null;
            }
            TaskRecord t = w.current();
            if (t != null && w.actor() == null) {
                KillPolicy.Kind kind = t.canRetryAfterOom() ? KillPolicy.Kind.RETRIABLE_TASK : KillPolicy.Kind.TASK;
                String owner = t.owner().isEmpty() ? "job " + t.jobId() : t.owner();
                return new KillPolicy.Candidate(w.id(), w.pid(), kind, owner, "the task " + t.spec().getName(),
                        "task_id=" + t.id(), t.startedAtMillis(), 0);
            }
            ActorRecord a = w.actor();
            if (a != null) {
                KillPolicy.Kind kind = a.mayRestart(false) ? KillPolicy.Kind.RESTARTABLE_ACTOR : KillPolicy.Kind.ACTOR;
                return new KillPolicy.Candidate(w.id(), w.pid(), kind, a.actorId(), "the actor " + a.className()
                        + (a.name().isEmpty() ? "" : " '" + a.name() + "'"), "actor_id=" + a.actorId(),
                        w.handle().startedAtMillis(), 0);
            }
            return null;
        }

        @Override
        public boolean kill(KillPolicy.Candidate victim, String report) {
            Worker w = lock.read(() -> {
                Worker found = pool.get(victim.workerId());
                if (found == null || found.pid() != victim.pid()) {
                    return null;
                }
                KillPolicy.Candidate now = candidate(found);
                if (now == null || !now.ref().equals(victim.ref())) {
                    return null; // it moved on: look again
                }
                found.killedForMemory(report);
                return found;
            });
            if (w == null) {
                return false;
            }
            w.kill(); // a signal to its process, after the lock
            return true;
        }

        @Override
        public boolean releaseIdle(String workerId, long pid) {
            return lock.read(() -> {
                Worker w = pool.get(workerId);
                return w != null && w.pid() == pid && !ownsWork(workerId) && pool.releaseIdle(w);
            });
        }

        /**
         * Each live worker's memory in the sample, with what it runs (read under the lock), to the
         * plug-ins, which take it on their own threads.
         */
        @Override
        public void sampled(MemoryMonitor.Sample sample) {
            if (!plugins.any()) {
                return;
            }
            Map<Long, MemoryMonitor.ProcessUse> byPid = new HashMap<>();
            sample.processes().forEach(p -> byPid.put(p.pid(), p));
            List<WorkerMemory> workers = lock.read(() -> {
                List<WorkerMemory> out = new ArrayList<>();
                for (Worker w : pool.all()) {
                    MemoryMonitor.ProcessUse use = byPid.get(w.pid());
                    if (use == null || w.dead() || !w.registered()) {
                        continue;
                    }
                    KillPolicy.Candidate c = candidate(w);
                    out.add(new WorkerMemory(NodePlugins.ref(w), c == null ? "" : c.work().replaceFirst("^the ", ""),
                            sample.atMillis(), use.rss(), use.owned()));
                }
                return out;
            });
            plugins.workerMemory(workers);
        }

        @Override
        public void tellDrivers(String line) {
            NodeMessage m = WorkerSupervisor.nodeLine(config.ip(), line);
            lock.read(() -> List.copyOf(jobs.values())).forEach(j -> {
                if (j.logToDriver()) {
                    j.driver().send(m); // only enqueues
                }
            });
        }

        @Override
        public void releaseStoreIdle() {
            shared.giveBackIdle(); // on the store's file thread
        }
    }

    // =================================================================== views

    public ClusterStatus status() {
        return lock.read(() -> {
            NodeViews.StatusDraft draft = views.status();
            jobs.values().forEach(j -> draft.status().addDrivers(DriverInfo.newBuilder()
                    .setJobId(j.jobId()).setPid(j.driver().pid)));
            return draft;
        }).measured();
    }

    /** How many objects the node keeps (values, failures and pending results). */
    public int objectCount() {
        return lock.read(objects::size);
    }

    /**
     * Every object the node keeps, who holds it and why ({@code sonde memory}): a copy of the
     * store's entries taken under the lock, the listing built after it. A holder's pid and kind
     * were set at its registration, under the lock, before it could own anything.
     */
    public ObjectList listObjects() {
        List<KeptObject<ClientSession>> kept = lock.read(objects::snapshot);
        return new ObjectListing(config.nodeId(), shared::stats, id -> {
            String where = shared.location(id);
            return where == null ? "shared" : where;
        }).list(kept,
                s -> new ObjectListing.Holder(s.pid, s.driver, s.clientId, s.jobId));
    }

    /** The node's tasks, newest first (see {@link TaskTable#list}). */
    public List<TaskInfo> listTasks() {
        return lock.read(tasks::list);
    }

    /** The node's tasks, newest first, with how many older finished ones it no longer keeps. */
    public TaskList taskList() {
        return lock.read(() -> TaskList.newBuilder().addAllTasks(tasks.list()).setForgotten(tasks.forgotten()).build());
    }

    /** The attempts of a task, each with why it ended (see {@link TaskTable#attempts}). */
    List<Attempt> attempts(String taskId) {
        return lock.read(() -> tasks.attempts(taskId));
    }

    public List<ActorInfo> listActors() {
        return lock.read(views::actors);
    }

    public List<WorkerInfo> listWorkers() {
        return lock.read(views::workers).stream().map(NodeViews::withRss).toList();
    }

    // =================================================================== shutdown

    /**
     * Stops every worker: politely (exit command, a grace period so their last output is relayed),
     * or with {@code force} by SIGKILL at once. Every wait is bounded: a node whose lock a stuck
     * thread holds still stops, killing every worker it launched.
     */
    public void shutdown(boolean force) {
        memoryMonitor.close();
        if (!force) {
            closeActors();
        }
        reaper.shutdownNow();
        workers.stop();
        // When another thread holds the lock and does not let go: stop what was launched, by force.
        lock.tryRead(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS, () -> pool.stopAll(force))
                .orElseGet(() -> WorkerStop.byForce(workers.launched()))
                .run(force);
        plugins.close();
        shared.close(); // the workers are gone: their objects go with the node
        // The messages queued so far (the workers' last output) go out before this returns, within
        // a bound; later sends are dropped.
        sendPool.shutdown();
        try {
            sendPool.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A polite stop ends the alive actors as {@code terminate()} would, so that their
     * {@code close()} runs, and waits for their workers to exit, {@link #CLOSE_GRACE} at most;
     * the workers left are stopped with the others.
     */
    private void closeActors() {
        List<Worker> closing = lock.tryRead(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS, () -> {
            List<Worker> ws = new ArrayList<>();
            for (ActorRecord a : List.copyOf(actors.all())) {
                Worker w = a.workerId().isEmpty() ? null : pool.get(a.workerId());
                if (w != null && !w.dead() && actorLifecycle.closeAtNodeStop(a)) {
                    ws.add(w);
                }
            }
            return ws;
        }).orElse(List.of());
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        while (!closing.isEmpty() && System.nanoTime() < deadline
                && lock.tryRead(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS,
                        () -> closing.stream().anyMatch(w -> !w.dead())).orElse(false)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static ThreadFactory daemon(LongFunction<String> name) {
        AtomicLong count = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name.apply(count.incrementAndGet()));
            t.setDaemon(true);
            return t;
        };
    }
}
