package io.sonde.debugger.plugin;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sonde.debugger.WorkerAgent;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.ClientCommand;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.HookScope;
import io.sonde.debugger.proto.JdwpFrame;
import io.sonde.debugger.proto.LineBreakpoint;
import io.sonde.debugger.proto.TunnelFrame;
import io.sonde.debugger.proto.WorkerCommand;
import io.sonde.debugger.proto.WorkerEvent;
import io.sonde.spi.NodeContext;
import io.sonde.spi.NodePlugin;
import io.sonde.spi.WorkerRef;
import io.sonde.tooling.HostedNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The debugger on a node: the list of parked tasks that {@code sonde debug} shows, and the
 * breakpoints set from the debugger ({@code break}, {@code catch}) that every current and future
 * worker applies; served to {@code sonde debug} by its own gRPC service ({@link DebuggerService}).
 *
 * <pre>
 *   worker ─hit──▶ workerMessage: list it (pid, node, port, root task) ─notice──▶ the job's driver
 *   worker ─resumed / exit, driver gone──▶ unlist it
 *   worker ─JDWP held──▶ debuggers may attach to it
 *   Jdwp rpc (a debugger) ═══packets═══ tunnel n ═══WorkerCommand / WorkerEvent.tunnel═══ worker
 *   driver ─clientMessage: its own hit / resumed / JDWP held / tunnel──▶ as a worker's, keyed by its job
 *   Jdwp rpc naming a driver ═══ tunnel n ═══ClientCommand / WorkerEvent.tunnel═══ the job's driver
 *   updateDebugHooks ─▶ kept, scoped ─▶ each worker now; workerHello ─▶ each new one before its first task
 *   jobStarted ─▶ breakpoints set while no job ran take it; jobEnded ─▶ those of its jobs only go
 * </pre>
 *
 * <h2>Scope of a breakpoint set from the debugger</h2>
 * A {@code break} or {@code catch} applies to the jobs running when it is set, or, set while none
 * runs, to the next job that starts; it is removed once they have all ended. With
 * {@code --all-jobs} it applies to every job until it is cleared. Each worker is sent only the
 * breakpoints of its own job.
 *
 * <h2>Thread safety</h2>
 * The state is guarded by {@link #state}. {@link #jobStarted} and {@link #workerHello} run under
 * the node's lock and take {@code state} inside it; so nothing here calls the {@link NodeContext}
 * (which takes the node's lock) while holding {@code state}. Updates of the hooks are serialized
 * by {@link #updates}, so that workers get the sets in the order they were made.
 *
 * <h2>JDWP tunnels</h2>
 * A worker holds the only connection to its own JDWP agent, which then listens on no port; a
 * debugger reaches it through {@link #openTunnel}: the node numbers the tunnel, relays the
 * debugger's packets to the worker as plug-in messages, and the worker's back to the debugger
 * through a {@link SerialSender} (packets from the plug-in's thread, ends from gRPC threads as
 * well). The tunnels are in a concurrent map, never under a lock while the node is called.
 */
public final class DebugNodePlugin implements NodePlugin {
    /** The plug-in's name in Sonde's protocol, the same in its three parts. */
    public static final String NAME = "debugger";
    /** The job option that {@code InitOptions.debugPostMortem} sets. */
    static final String POST_MORTEM_OPTION = NAME + ".post-mortem";

    private final Object state = new Object();
    private final Object updates = new Object();
    private NodeContext node;
    /** Tasks parked at a breakpoint, by task id, oldest first. */
    private final LinkedHashMap<String, BreakpointInfo> breakpoints = new LinkedHashMap<>();
    private final List<LineBreakpoint> lineHooks = new ArrayList<>();
    private final List<String> catchHooks = new ArrayList<>();
    /** The scope of each of {@link #catchHooks}. */
    private final Map<String, HookScope> catchScopes = new HashMap<>();
    /** The jobs started and not ended: the scope of a breakpoint set now without {@code --all-jobs}. */
    private final Set<String> liveJobs = new LinkedHashSet<>();
    private int nextLineHookId = 1;
    private final Set<String> postMortemJobs = new HashSet<>();
    /** The workers that hold their JDWP connection (the debugger is on in them). */
    private final Set<String> held = new HashSet<>();
    /** The jobs whose driver holds its JDWP connection (its JVM has the agent). */
    private final Set<String> heldDrivers = new HashSet<>();
    /** The open JDWP tunnels, by number. */
    private final Map<Long, Tunnel> tunnels = new ConcurrentHashMap<>();
    private final AtomicLong nextTunnel = new AtomicLong();

    /** A debugger's JDWP connection to a worker (or to the driver of {@code driverJobId}), relayed by the node. */
    private record Tunnel(long id, String workerId, String driverJobId, SerialSender<JdwpFrame> debugger) {
        boolean toDriver() {
            return !driverJobId.isEmpty();
        }
    }

    /** The key of a driver's stop in {@link #breakpoints}: a driver's stop has no task id. */
    private static String driverStop(String jobId, String threadName) {
        return "driver:" + jobId + ":" + threadName;
    }

    /** The debugger of a node this process runs (the shell's embedded one, tests'). */
    public static DebugNodePlugin of(HostedNode node) {
        return node.plugin(DebugNodePlugin.class).orElseThrow(() -> new IllegalStateException(
                "this node runs without the debugger: sonde-debugger is not on its classpath"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(NodeContext context) {
        this.node = context;
    }

    @Override
    public List<BindableService> services() {
        return List.of(new DebuggerService(this));
    }

    @Override
    public List<String> workerJvmOptions() {
        if (!DebuggerSetting.enabled()) {
            return List.of("-D" + DebuggerSetting.PROPERTY + "=off");
        }
        // JDWP listens on loopback only, on an ephemeral port, quiet: the worker reads the port from
        // the VM's agent properties (hence the export) and connects to it itself as it starts. The
        // agent serves one connection and then listens no more; the worker never lets it go, and
        // debuggers reach the worker through the node (see openTunnel). The port is never reported.
        return List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0,quiet=y",
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
    }

    @Override
    public void jobStarted(String jobId, Map<String, String> options) {
        synchronized (state) {
            if (Boolean.parseBoolean(options.get(POST_MORTEM_OPTION))) {
                postMortemJobs.add(jobId);
            }
            liveJobs.add(jobId);
            // breakpoints set while no job ran wait for this one; its workers get them at their hello
            lineHooks.replaceAll(l -> waitsForNextJob(l.getScope()) ? l.toBuilder().setScope(l.getScope().toBuilder()
                    .addJobIds(jobId)).build() : l);
            catchScopes.replaceAll((c, scope) -> waitsForNextJob(scope) ? scope.toBuilder().addJobIds(jobId).build() : scope);
        }
    }

    @Override
    public void jobEnded(String jobId) {
        synchronized (state) {
            postMortemJobs.remove(jobId);
            liveJobs.remove(jobId);
            heldDrivers.remove(jobId);
            // its parked tasks end with its workers, which the node stops: unlist them now
            breakpoints.values().removeIf(b -> b.getJobId().equals(jobId));
            // a breakpoint set for the jobs that ran then goes once the last of them has ended;
            // the workers that applied it are the ended jobs' own, which stop
            List<LineBreakpoint> kept = new ArrayList<>();
            for (LineBreakpoint l : lineHooks) {
                HookScope scope = without(l.getScope(), jobId);
                if (scope != null) {
                    kept.add(l.toBuilder().setScope(scope).build());
                }
            }
            lineHooks.clear();
            lineHooks.addAll(kept);
            for (String c : List.copyOf(catchHooks)) {
                HookScope scope = without(catchScopes.get(c), jobId);
                if (scope == null) {
                    catchHooks.remove(c);
                    catchScopes.remove(c);
                } else {
                    catchScopes.put(c, scope);
                }
            }
        }
        driverLeft(jobId);
    }

    /** Ends the tunnels to a job's driver, which has left. */
    private void driverLeft(String jobId) {
        for (Tunnel t : List.copyOf(tunnels.values())) {
            if (t.driverJobId().equals(jobId) && tunnels.remove(t.id()) != null) {
                t.debugger().onError(Status.UNAVAILABLE.withDescription("the driver of job " + jobId
                        + " has left").asRuntimeException());
            }
        }
    }

    /** A scope that waits for the next job to start (set while none ran). */
    private static boolean waitsForNextJob(HookScope scope) {
        return !scope.getAllJobs() && scope.getJobIdsCount() == 0;
    }

    /** The scope once {@code jobId} has ended; null when its breakpoint goes (the last of its jobs ended). */
    private static HookScope without(HookScope scope, String jobId) {
        if (scope.getAllJobs() || !scope.getJobIdsList().contains(jobId)) {
            return scope;
        }
        List<String> rest = new ArrayList<>(scope.getJobIdsList());
        rest.remove(jobId);
        return rest.isEmpty() ? null : scope.toBuilder().clearJobIds().addAllJobIds(rest).build();
    }

    private static boolean applies(HookScope scope, String jobId) {
        return scope.getAllJobs() || scope.getJobIdsList().contains(jobId);
    }

    @Override
    public void workerHello(WorkerRef worker) {
        DebugHooks hooks;
        synchronized (state) {
            hooks = hooksFor(worker.jobId());
        }
        if (!WorkerAgent.isEmpty(hooks)) {
            // before any task: the worker applies its hooks before it runs the first one
            node.sendToWorker(worker.workerId(), WorkerCommand.newBuilder().setHooks(hooks).build().toByteString());
        }
    }

    @Override
    public void workerExited(WorkerRef worker) {
        synchronized (state) {
            breakpoints.values().removeIf(b -> b.getWorkerId().equals(worker.workerId()));
            held.remove(worker.workerId());
        }
        for (Tunnel t : List.copyOf(tunnels.values())) {
            if (t.workerId().equals(worker.workerId()) && tunnels.remove(t.id()) != null) {
                t.debugger().onError(Status.UNAVAILABLE.withDescription("the worker (pid " + worker.pid()
                        + ") exited").asRuntimeException());
            }
        }
    }

    @Override
    public void workerMessage(WorkerRef worker, ByteString payload) {
        WorkerEvent e = Payloads.parse(() -> WorkerEvent.parseFrom(payload));
        switch (e.getBodyCase()) {
            case HIT -> hit(worker, e.getHit());
            case RESUMED_TASK_ID -> {
                synchronized (state) {
                    breakpoints.remove(e.getResumedTaskId());
                }
            }
            case JDWP_HELD -> {
                synchronized (state) {
                    held.add(worker.workerId());
                }
            }
            case TUNNEL -> fromWorker(e.getTunnel());
            default -> {
            }
        }
    }

    /**
     * A message of a driver's debugger about the driver's own JVM ({@link DriverDebugger}): its stops
     * are listed as a worker's are, keyed by its job and thread; its tunnels share the workers' path.
     */
    @Override
    public void clientMessage(io.sonde.spi.ClientRef client, ByteString payload) {
        if (!client.isDriver()) {
            return;
        }
        WorkerEvent e = Payloads.parse(() -> WorkerEvent.parseFrom(payload));
        switch (e.getBodyCase()) {
            case HIT -> {
                BreakpointInfo info = e.getHit().toBuilder().setTimeMs(System.currentTimeMillis()).setDriver(true)
                        .setNodeId(node.nodeId()).setNodeIp(node.nodeIp()).setJobId(client.jobId()).build();
                synchronized (state) {
                    breakpoints.put(driverStop(client.jobId(), info.getThreadName()), info);
                }
            }
            case RESUMED_TASK_ID -> {
                synchronized (state) {
                    breakpoints.remove(driverStop(client.jobId(), e.getResumedTaskId()));
                }
            }
            case JDWP_HELD -> {
                synchronized (state) {
                    heldDrivers.add(client.jobId());
                }
            }
            case TUNNEL -> fromWorker(e.getTunnel());
            default -> {
            }
        }
    }

    /** A task parked: list it for {@code sonde debug} and tell its driver once. */
    private void hit(WorkerRef worker, BreakpointInfo hit) {
        BreakpointInfo info = hit.toBuilder().setTimeMs(System.currentTimeMillis())
                .setRootTaskId(node.rootTaskId(hit.getTaskId()))
                .setNodeId(node.nodeId()).setNodeIp(node.nodeIp()).setPid(worker.pid())
                .setWorkerId(worker.workerId()).setJobId(worker.jobId()).build();
        synchronized (state) {
            breakpoints.put(info.getTaskId(), info);
        }
        node.sendToDriver(worker.jobId(), ClientCommand.newBuilder().setNotice(info).build().toByteString());
    }

    /**
     * {@code break}, {@code clear} and {@code catch} typed in a debugger: kept here and sent whole
     * to every worker now and to each new one at its hello. Returns the result.
     */
    public DebugHooks updateDebugHooks(DebugHooksUpdate u) {
        synchronized (updates) {
            DebugHooks all;
            Map<String, DebugHooks> forWorkers = new LinkedHashMap<>();
            synchronized (state) {
                if (u.getRemoveAllLines()) {
                    lineHooks.clear();
                }
                for (int id : u.getRemoveLinesList()) {
                    lineHooks.removeIf(l -> l.getId() == id);
                }
                // without --all-jobs: the jobs running now, or the next one to start if none runs
                HookScope scope = u.getAllJobs() ? HookScope.newBuilder().setAllJobs(true).build()
                        : HookScope.newBuilder().addAllJobIds(liveJobs).build();
                for (LineBreakpoint l : u.getAddLinesList()) {
                    lineHooks.add(l.toBuilder().setId(nextLineHookId++).setScope(scope).build());
                }
                if (u.getRemoveAllCatches()) {
                    catchHooks.clear();
                    catchScopes.clear();
                }
                catchHooks.removeAll(u.getRemoveCatchesList());
                catchScopes.keySet().removeAll(u.getRemoveCatchesList());
                for (String c : u.getAddCatchesList()) {
                    if (!catchHooks.contains(c)) {
                        catchHooks.add(c);
                    }
                    catchScopes.put(c, scope); // caught again: the scope of the last `catch`
                }
                all = DebugHooks.newBuilder().addAllLines(lineHooks).addAllCatches(catchHooks)
                        .addAllCatchScopes(catchHooks.stream().map(catchScopes::get).toList()).build();
            }
            if (u.getAddLinesCount() + u.getRemoveLinesCount() + u.getAddCatchesCount() + u.getRemoveCatchesCount() > 0
                    || u.getRemoveAllLines() || u.getRemoveAllCatches()) {
                // read after the change (a worker saying hello later gets it there), outside `state`
                // (the node's lock is taken inside it by the hooks that run under that lock)
                List<WorkerRef> workers = node.workers();
                synchronized (state) {
                    for (WorkerRef w : workers) {
                        forWorkers.put(w.workerId(), hooksFor(w.jobId()));
                    }
                }
                forWorkers.forEach((worker, hooks) -> node.sendToWorker(worker,
                        WorkerCommand.newBuilder().setHooks(hooks).build().toByteString()));
            }
            return all;
        }
    }

    /** Under {@link #state}: what the workers of a job apply, the breakpoints in its scope. */
    private DebugHooks hooksFor(String jobId) {
        return DebugHooks.newBuilder().addAllLines(lineHooks.stream().filter(l -> applies(l.getScope(), jobId)).toList())
                .addAllCatches(catchHooks.stream().filter(c -> applies(catchScopes.get(c), jobId)).toList())
                .setPostMortem(postMortemJobs.contains(jobId)).build();
    }

    /** The parked tasks, oldest first, indexed from 0 as {@code sonde debug} shows them. */
    public List<BreakpointInfo> listBreakpoints() {
        synchronized (state) {
            List<BreakpointInfo> all = new ArrayList<>(breakpoints.size());
            for (BreakpointInfo b : breakpoints.values()) {
                all.add(b.toBuilder().setIndex(all.size()).build());
            }
            return all;
        }
    }

    /**
     * Whether the task and every task it submitted that the node still holds have ended, for
     * {@code remote} and {@code get} to stop waiting; takes the node's lock for a moment.
     */
    public boolean taskEnded(String taskId) {
        return node.taskEnded(taskId);
    }

    /** Whether a worker holds its JDWP connection, so that debuggers can attach to it; false if the debugger is off there. */
    public boolean debuggable(String workerId) {
        synchronized (state) {
            return held.contains(workerId);
        }
    }

    /**
     * A debugger's JDWP connection to one of this node's workers (the gRPC service's Jdwp, or an
     * in-process debugger): the debugger's first frame names the worker; each frame after it (and
     * the first, if it holds one) is one JDWP packet for the worker. What the worker answers goes
     * to {@code debugger}, one packet per frame; the stream ends when the worker exits, with an
     * error if the worker is unknown or has no debugger. The returned observer must be called one
     * frame at a time (as gRPC does); neither side blocks.
     */
    public StreamObserver<JdwpFrame> openTunnel(StreamObserver<JdwpFrame> debugger) {
        SerialSender<JdwpFrame> out = new SerialSender<>(debugger);
        long id = nextTunnel.incrementAndGet();
        return new StreamObserver<>() {
            private Tunnel tunnel;
            private boolean refused;

            @Override
            public void onNext(JdwpFrame f) {
                if (refused) {
                    return;
                }
                if (tunnel == null && !f.getDriverJobId().isEmpty()) {
                    String jobId = f.getDriverJobId();
                    Tunnel t = new Tunnel(id, "", jobId, out);
                    tunnels.put(id, t); // registered before the look: a job that ends from now on ends it
                    boolean held;
                    synchronized (state) {
                        held = heldDrivers.contains(jobId);
                    }
                    if (!held) {
                        refused = true;
                        tunnels.remove(id);
                        out.onError(Status.NOT_FOUND.withDescription("the driver of job " + jobId + " is not connected"
                                + " to this node, or its JVM runs without a JDWP agent").asRuntimeException());
                        return;
                    }
                    tunnel = t;
                    toWorker(t, TunnelFrame.newBuilder().setTunnel(id).setOpen(true).build());
                }
                if (tunnel == null) {
                    String workerId = f.getWorkerId();
                    Tunnel t = new Tunnel(id, workerId, "", out);
                    // registered before the look: a worker that exits from now on ends it in workerExited
                    tunnels.put(id, t);
                    Optional<WorkerRef> w = workerId.isEmpty() ? Optional.empty() : node.worker(workerId);
                    if (w.isEmpty() || !debuggable(workerId)) {
                        refused = true;
                        tunnels.remove(id);
                        out.onError((w.isEmpty() ? Status.NOT_FOUND.withDescription("no worker " + workerId
                                + " on this node: it has exited (or runs on another node)")
                                : Status.FAILED_PRECONDITION.withDescription("worker " + workerId
                                + " runs without the debugger")).asRuntimeException());
                        return;
                    }
                    tunnel = t;
                    toWorker(t, TunnelFrame.newBuilder().setTunnel(id).setOpen(true).build());
                }
                if (!f.getPacket().isEmpty()) {
                    toWorker(tunnel, TunnelFrame.newBuilder().setTunnel(id).setPacket(f.getPacket()).build());
                }
            }

            @Override
            public void onError(Throwable t) {
                onCompleted();
            }

            @Override
            public void onCompleted() {
                // the debugger left: the worker ends its client there (which undoes its requests)
                if (tunnel != null && tunnels.remove(id) != null) {
                    toWorker(tunnel, TunnelFrame.newBuilder().setTunnel(id).setClose(true).build());
                }
                out.onCompleted();
            }
        };
    }

    private void toWorker(Tunnel t, TunnelFrame f) {
        if (t.toDriver()) {
            node.sendToDriver(t.driverJobId(), ClientCommand.newBuilder().setTunnel(f).build().toByteString());
        } else {
            node.sendToWorker(t.workerId(), WorkerCommand.newBuilder().setTunnel(f).build().toByteString());
        }
    }

    /** A tunnel's packet or end from its worker, on the plug-in's thread. */
    private void fromWorker(TunnelFrame f) {
        Tunnel t = f.getClose() ? tunnels.remove(f.getTunnel()) : tunnels.get(f.getTunnel());
        if (t == null) {
            return; // the debugger left meanwhile
        }
        if (!f.getClose()) {
            t.debugger().onNext(JdwpFrame.newBuilder().setPacket(f.getPacket()).build());
        } else if (f.getError().isEmpty()) {
            t.debugger().onCompleted();
        } else {
            t.debugger().onError(Status.UNAVAILABLE.withDescription(f.getError()).asRuntimeException());
        }
    }
}
