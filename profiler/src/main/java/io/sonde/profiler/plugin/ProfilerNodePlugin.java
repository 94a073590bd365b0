package io.sonde.profiler.plugin;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;
import io.grpc.Status;
import io.sonde.profiler.leak.LeakSettings;
import io.sonde.profiler.proto.HeapRequest;
import io.sonde.profiler.proto.LeaksReply;
import io.sonde.profiler.proto.ProcessStacks;
import io.sonde.profiler.proto.ProfileRequest;
import io.sonde.profiler.proto.StacksRequest;
import io.sonde.profiler.proto.Target;
import io.sonde.profiler.proto.UsageRequest;
import io.sonde.profiler.proto.WorkerUsage;
import io.sonde.profiler.proto.WorkerCommand;
import io.sonde.profiler.proto.WorkerEvent;
import io.sonde.spi.ClientRef;
import io.sonde.spi.NodeContext;
import io.sonde.spi.NodePlugin;
import io.sonde.spi.WorkerMemory;
import io.sonde.spi.WorkerRef;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The profiler on a node: takes {@code sonde profile}, {@code sonde stack} and
 * {@code sonde memory --heap} from its gRPC service ({@link ProfilerService}), hands each to the
 * profiler in the worker (or the driver) it names, and relays the answers back.
 *
 * <pre>
 *   Profile rpc ─▶ request n ─▶ WorkerCommand{n} ─▶ worker ─▶ WorkerEvent{n}: started, chunk*, result | error
 *                                                           ─▶ the rpc's stream, ended by the last one
 *   worker exits, driver leaves, no answer in time ─▶ the rpc ends with an error that says so
 *   Stacks rpc ─▶ every worker and every driver ─▶ gathered, in the node's order of workers
 * </pre>
 *
 * <h2>Threads</h2>
 * Everything that touches the requests runs on the plug-in's own serial executor
 * ({@code sonde-profiler-node}): the rpcs, the workers' answers, exits, and the deadlines of
 * answers hand their work to it, so no request needs a lock, and nothing is called while one is
 * held. {@link #jobStarted} (under the node's lock) only adds to a concurrent set and map (the job's leak
 * settings), and hands a notice of settings it cannot use to that executor.
 *
 * <h2>Files</h2>
 * async-profiler's native library is extracted once per session to
 * {@code <session>/profiler/libasyncProfiler.so}, where the node's workers and its local drivers
 * load it; profiles are written to {@code <session>/profiles/}. The latest live-allocation profile
 * of each worker is kept in {@code <session>/profiler/live-allocations/} ({@link LiveAllocationStore})
 * for {@code sonde memory --by-name}. The automatic profiles of leak suspects and their reports go
 * to {@code <session>/profiler/leaks/worker-ID-STAMP/} ({@link LeakWatch}).
 */
public final class ProfilerNodePlugin implements NodePlugin {
    /** The plug-in's name in Sonde's protocol, the same in its three parts. */
    public static final String NAME = "profiler";
    /** How long a process may take to answer a request (to start a profile, to write its heap dump). */
    static final long ANSWER_MS = 15_000;
    /** How long {@code sonde stack} waits for each process: a stuck one is named, not waited for. */
    static final long STACKS_MS = 5_000;

    private final ScheduledExecutorService serial = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sonde-profiler-node");
        t.setDaemon(true);
        return t;
    });
    private NodeContext node;
    private final Set<String> liveJobs = ConcurrentHashMap.newKeySet();
    /** On {@link #serial} only: the requests waiting for their answer, by number. */
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextRequest;
    private Path library;
    private LiveAllocationStore liveAllocations;
    /** On {@link #serial}, but for {@link LeakWatch#jobStarted}: the automatic leak profiles. */
    private LeakWatch leaks;

    /** What a request's caller is told. */
    interface Answer {
        /** An answer of the process; the last one (result, error, stacks, heap) ends the request. */
        void event(WorkerEvent e);

        /** The request ended without an answer: the process is gone or unknown, or said nothing in time. */
        void failed(Status status);
    }

    /** A request sent to a worker (workerId) or a driver (jobId), waiting for answers. */
    private static final class Pending {
        final long id;
        final String workerId;
        final String jobId;
        final String who;
        final Answer answer;
        ScheduledFuture<?> deadline;

        Pending(long id, String workerId, String jobId, String who, Answer answer) {
            this.id = id;
            this.workerId = workerId;
            this.jobId = jobId;
            this.who = who;
            this.answer = answer;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(NodeContext context) {
        this.node = context;
        this.liveAllocations = new LiveAllocationStore(context.sessionDir().resolve("profiler")
                .resolve(LiveAllocationStore.DIRECTORY));
        LeakSettings settings;
        try {
            settings = LeakSettings.fromEnvironment(System::getenv);
        } catch (IllegalArgumentException e) {
            System.err.println("sonde node " + context.nodeId() + ": " + e.getMessage() + "; leak detection uses its"
                    + " defaults instead.");
            settings = LeakSettings.DEFAULTS;
        }
        this.leaks = new LeakWatch(new LeakWatch.Host() {
            @Override
            public void profile(ProfileRequest request, Path dir, Answer answer) {
                profileTo(request, dir, answer);
            }

            @Override
            public void tellDriver(String jobId, String line) {
                node.sendToDriver(jobId, WorkerCommand.newBuilder().setNotice(line).build().toByteString());
            }

            @Override
            public Path sessionDir() {
                return node.sessionDir();
            }
        }, settings);
    }

    /** The latest live-allocation profile of each worker, for {@code sonde memory --by-name}. */
    public LiveAllocationStore liveAllocations() {
        return liveAllocations;
    }

    @Override
    public List<BindableService> services() {
        return List.of(new ProfilerService(this));
    }

    @Override
    public void jobStarted(String jobId, Map<String, String> options) {
        liveJobs.add(jobId);
        try {
            leaks.jobStarted(jobId, options);
        } catch (IllegalArgumentException e) {
            // told on the plug-in's thread, after the lock: the driver's notice
            serial.execute(() -> node.sendToDriver(jobId, WorkerCommand.newBuilder().setNotice(e.getMessage()
                    + "; this job's leak detection uses the node's settings instead.").build().toByteString()));
        }
    }

    @Override
    public void jobEnded(String jobId) {
        liveJobs.remove(jobId);
        serial.execute(() -> leaks.jobEnded(jobId));
        serial.execute(() -> endAll(p -> jobId.equals(p.jobId), p -> Status.UNAVAILABLE.withDescription(
                capitalized(p.who) + " left (its job " + jobId + " ended) before it answered.")));
    }

    @Override
    public void workerExited(WorkerRef worker) {
        serial.execute(() -> liveAllocations.forget(worker.workerId()));
        serial.execute(() -> leaks.exited(worker));
        serial.execute(() -> endAll(p -> worker.workerId().equals(p.workerId), p -> Status.UNAVAILABLE.withDescription(
                "Worker " + worker.workerId() + " (pid " + worker.pid() + ") exited before it answered: it ended, or"
                        + " was stopped, during the request. `sonde logs` shows its last output.")));
    }

    @Override
    public void workerMessage(WorkerRef worker, ByteString payload) {
        WorkerEvent e = Payloads.parse(() -> WorkerEvent.parseFrom(payload));
        if (e.hasGc()) {
            serial.execute(() -> leaks.heap(worker, e.getGc()));
        } else {
            serial.execute(() -> answered(e));
        }
    }

    @Override
    public void workerMemory(List<WorkerMemory> workers) {
        serial.execute(() -> leaks.memory(workers));
    }

    /** The leak suspects, for {@code sonde memory --leaks}. */
    void leaks(Consumer<LeaksReply> done) {
        serial.execute(() -> done.accept(leaks.list()));
    }

    @Override
    public void clientMessage(ClientRef client, ByteString payload) {
        WorkerEvent e = Payloads.parse(() -> WorkerEvent.parseFrom(payload));
        serial.execute(() -> answered(e));
    }

    @Override
    public void close() {
        serial.execute(() -> endAll(p -> true, p -> Status.UNAVAILABLE.withDescription("the node is stopping.")));
        serial.shutdown();
    }

    /** Starts a profile; the answers go to {@code answer}. Returns a way to stop it early (the caller left). */
    Runnable profile(ProfileRequest request, Answer answer) {
        long[] id = {-1};
        serial.execute(() -> {
            id[0] = profileTo(request, node.sessionDir().resolve("profiles"), answer);
        });
        return () -> serial.execute(() -> {
            Pending p = pending.get(id[0]);
            if (p != null) {
                deliver(p, WorkerCommand.newBuilder().setRequest(p.id).setStop(true).build());
            }
        });
    }

    /** On {@link #serial}: sends a profile whose output goes to {@code dir}; returns its number, -1 if it failed at once. */
    private long profileTo(ProfileRequest request, Path dir, Answer answer) {
        Path lib;
        try {
            lib = library();
        } catch (UncheckedIOException e) {
            answer.failed(Status.INTERNAL.withDescription(e.getMessage()));
            return -1;
        }
        ProfileRequest r = request.toBuilder().setLibrary(lib.toString()).setOutputDir(dir.toString()).build();
        return send(request.getTarget(), WorkerCommand.newBuilder().setProfile(r), ANSWER_MS, answer);
    }

    /** A worker's (or a driver's) class histogram or heap dump. */
    void heap(HeapRequest request, Answer answer) {
        // a heap dump of a large heap takes a while: the answer may take as long as the caller waits
        serial.execute(() -> send(request.getTarget(), WorkerCommand.newBuilder().setHeap(request), 10 * 60_000, answer));
    }

    /** The threads of every worker of the node and of every driver of its jobs; those that do not answer in time are named. */
    void stacks(Consumer<List<ProcessStacks>> done) {
        serial.execute(() -> {
            List<Target> targets = new ArrayList<>();
            for (WorkerRef w : node.workers()) {
                targets.add(Target.newBuilder().setWorkerId(w.workerId()).build());
            }
            for (String job : liveJobs) {
                targets.add(Target.newBuilder().setDriver(true).setDriverJobId(job).build());
            }
            ProcessStacks[] got = new ProcessStacks[targets.size()];
            int[] left = {targets.size()};
            if (left[0] == 0) {
                done.accept(List.of());
                return;
            }
            for (int i = 0; i < targets.size(); i++) {
                int slot = i;
                String who = who(targets.get(i));
                send(targets.get(i), WorkerCommand.newBuilder().setStacks(StacksRequest.getDefaultInstance()), STACKS_MS, new Answer() {
                    @Override
                    public void event(WorkerEvent e) {
                        got[slot] = e.hasStacks() ? e.getStacks() : ProcessStacks.newBuilder().setWho(who)
                                .setText("(no stacks: " + e.getError() + ")\n").build();
                        arrived();
                    }

                    @Override
                    public void failed(Status status) {
                        got[slot] = ProcessStacks.newBuilder().setWho(who)
                                .setText("(no stacks: " + status.getDescription() + ")\n").build();
                        arrived();
                    }

                    private void arrived() {
                        if (--left[0] == 0) {
                            done.accept(List.of(got));
                        }
                    }
                });
            }
        });
    }

    /**
     * Every worker's heap and memory, read in the worker, with its latest live-allocation profile;
     * a worker that does not answer in time is listed with why.
     */
    void usage(Consumer<List<WorkerUsage>> done) {
        serial.execute(() -> {
            List<WorkerRef> workers = node.workers();
            WorkerUsage[] got = new WorkerUsage[workers.size()];
            int[] left = {workers.size()};
            if (left[0] == 0) {
                done.accept(List.of());
                return;
            }
            for (int i = 0; i < workers.size(); i++) {
                int slot = i;
                WorkerRef w = workers.get(i);
                Target target = Target.newBuilder().setWorkerId(w.workerId()).build();
                send(target, WorkerCommand.newBuilder().setUsage(UsageRequest.getDefaultInstance()), STACKS_MS, new Answer() {
                    @Override
                    public void event(WorkerEvent e) {
                        arrived(e.hasUsage() ? e.getUsage().toBuilder() : unknown(e.getError()));
                    }

                    @Override
                    public void failed(Status status) {
                        arrived(unknown(status.getDescription()));
                    }

                    private WorkerUsage.Builder unknown(String why) {
                        return WorkerUsage.newBuilder().setPid(w.pid()).setHeapUsed(-1).setError(why);
                    }

                    private void arrived(WorkerUsage.Builder u) {
                        u.setWorkerId(w.workerId());
                        liveAllocations.latest(w.workerId()).ifPresent(u::setLive);
                        got[slot] = u.build();
                        if (--left[0] == 0) {
                            done.accept(List.of(got));
                        }
                    }
                });
            }
        });
    }

    /** On {@link #serial}: registers the request and sends it; returns its number, -1 if it failed at once. */
    private long send(Target target, WorkerCommand.Builder command, long answerMs, Answer answer) {
        Optional<String> refusal = refuse(target);
        if (refusal.isPresent()) {
            answer.failed(Status.NOT_FOUND.withDescription(refusal.get()));
            return -1;
        }
        long id = ++nextRequest;
        String jobId = target.getDriver() ? driverJob(target) : "";
        Pending p = new Pending(id, target.getDriver() ? "" : target.getWorkerId(), jobId, who(target), answer);
        pending.put(id, p);
        p.deadline = serial.schedule(() -> {
            if (pending.remove(id) != null) {
                p.answer.failed(Status.DEADLINE_EXCEEDED.withDescription(capitalized(p.who) + " did not answer within "
                        + answerMs / 1000 + " s. Is sonde-profiler on its classpath (the job's)? `sonde run` and"
                        + " `sonde shell` put it there; a program of your own needs the sonde-profiler jar."));
            }
        }, answerMs, TimeUnit.MILLISECONDS);
        deliver(p, command.setRequest(id).build());
        return id;
    }

    private void deliver(Pending p, WorkerCommand c) {
        if (p.jobId.isEmpty()) {
            node.sendToWorker(p.workerId, c.toByteString());
        } else {
            node.sendToDriver(p.jobId, c.toByteString());
        }
    }

    /** Why a target cannot be asked, if it cannot. */
    private Optional<String> refuse(Target target) {
        if (!target.getDriver()) {
            if (node.worker(target.getWorkerId()).isEmpty()) {
                return Optional.of("No worker " + target.getWorkerId() + " on this node: it has exited, or runs on"
                        + " another node. `sonde list workers` lists the live ones.");
            }
            return Optional.empty();
        }
        if (!target.getDriverJobId().isEmpty()) {
            return liveJobs.contains(target.getDriverJobId()) ? Optional.empty()
                    : Optional.of("No driver of job " + target.getDriverJobId() + " is connected to this node.");
        }
        if (liveJobs.isEmpty()) {
            return Optional.of("No driver is connected to this node: no program runs a job on it now.");
        }
        if (liveJobs.size() > 1) {
            return Optional.of("Several drivers are connected to this node (jobs " + String.join(", ", liveJobs)
                    + "): `driver` names one only when it is the only one. Profile a worker of the job you mean"
                    + " instead (`sonde list workers`).");
        }
        return Optional.empty();
    }

    private String driverJob(Target target) {
        return target.getDriverJobId().isEmpty() ? liveJobs.iterator().next() : target.getDriverJobId();
    }

    private String who(Target target) {
        if (target.getDriver()) {
            return "the driver of job " + (target.getDriverJobId().isEmpty() && liveJobs.size() == 1
                    ? liveJobs.iterator().next() : target.getDriverJobId());
        }
        return node.worker(target.getWorkerId()).map(w -> "worker " + w.workerId() + " (pid " + w.pid() + ")")
                .orElse("worker " + target.getWorkerId());
    }

    /** On {@link #serial}: an answer of a worker or a driver. */
    private void answered(WorkerEvent e) {
        Pending p = pending.get(e.getRequest());
        if (p == null) {
            return; // its caller failed it meanwhile (deadline, exit)
        }
        p.deadline.cancel(false);
        boolean last = switch (e.getBodyCase()) {
            case STARTED, CHUNK -> false;
            default -> true;
        };
        if (last) {
            pending.remove(e.getRequest());
        }
        if (e.hasResult() && e.getResult().hasLive() && !p.workerId.isEmpty()) {
            try {
                liveAllocations.save(p.workerId, e.getResult().getLive());
            } catch (UncheckedIOException failed) {
                System.err.println("sonde profiler: " + failed.getMessage());
            }
        }
        p.answer.event(e);
    }

    private void endAll(java.util.function.Predicate<Pending> which, java.util.function.Function<Pending, Status> why) {
        for (Pending p : List.copyOf(pending.values())) {
            if (which.test(p) && pending.remove(p.id) != null) {
                p.deadline.cancel(false);
                p.answer.failed(why.apply(p));
            }
        }
    }

    /** On {@link #serial}: async-profiler's native library for this machine, extracted once per session. */
    private Path library() {
        if (library != null) {
            return library;
        }
        String platform = platform();
        Path dir = node.sessionDir().resolve("profiler");
        Path lib = dir.resolve("libasyncProfiler.so");
        try (InputStream in = ProfilerNodePlugin.class.getClassLoader().getResourceAsStream(platform + "/libasyncProfiler.so")) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("async-profiler's native library for " + platform
                        + " is not on the node's classpath (the async-profiler jar is missing)"));
            }
            Files.createDirectories(dir);
            Path part = Files.createTempFile(dir, "libasyncProfiler", ".part");
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract async-profiler's native library to " + lib + ": "
                    + e.getMessage(), e);
        }
        library = lib;
        return lib;
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (os.contains("mac")) {
            return "macos";
        }
        if (os.contains("linux")) {
            return arch.equals("aarch64") || arch.equals("arm64") ? "linux-arm64" : "linux-x64";
        }
        throw new UncheckedIOException(new IOException("async-profiler runs on Linux and macOS only, not on " + os));
    }
}
