package io.sonde.internal.client;

import com.google.common.util.concurrent.Uninterruptibles;
import io.grpc.stub.StreamObserver;
import io.sonde.ActorHandle;
import io.sonde.GetTimeoutException;
import io.sonde.NodeDiedException;
import io.sonde.ObjectStoreFullException;
import io.sonde.internal.NonBlockingObserver;
import io.sonde.internal.logs.LibraryLogs;
import io.sonde.ObjectRef;
import io.sonde.SchedulingStrategy;
import io.sonde.SondeException;
import io.sonde.WaitResult;
import io.sonde.proto.Arg;
import io.sonde.proto.BlockedNotice;
import io.sonde.proto.CancelOutcome;
import io.sonde.proto.CancelTask;
import io.sonde.proto.CancelledTask;
import io.sonde.proto.ClassBytes;
import io.sonde.proto.FetchClass;
import io.sonde.proto.ClientMessage;
import io.sonde.proto.GetNamedActor;
import io.sonde.proto.KillActor;
import io.sonde.proto.NamedActorReply;
import io.sonde.proto.NodeMessage;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.PluginMessage;
import io.sonde.proto.PutObject;
import io.sonde.proto.Registered;
import io.sonde.proto.RegisterClient;
import io.sonde.proto.Scheduling;
import io.sonde.proto.StaticValue;
import io.sonde.proto.ReleaseObjects;
import io.sonde.proto.Subscribe;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;
import io.sonde.internal.serialization.SerializationException;
import io.sonde.internal.serialization.Serializer;
import io.sonde.spi.ClientContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One process's connection to its node manager: the driver's, or a worker's for nested tasks.
 *
 * <pre>
 *   submitTask ──ClientMessage.submit──▶ node manager ──▶ worker runs it
 *   get(ref)   ◀──NodeMessage.ready───── node manager ◀── worker's result
 * </pre>
 *
 * <p>Every object this client owns (task returns, puts) or asked for has a future in
 * {@link #objects}; the node manager pushes the value of owned objects unasked and of others
 * after a {@code subscribe}. Messages go up one ordered stream, so a put is always seen by the
 * node manager before a task that uses it.
 *
 * <p>Thread-safe. Sends are serialized on the stream; replies arrive on transport threads (or an
 * embedded node's) and never block there: they complete futures, and what may block (log batches
 * for the {@link LogRelay}, class requests) runs on this client's own serial executor.
 */
public final class CoreClient {
    /** How long a client waits for the node manager to answer its registration. */
    private static final int REGISTRATION_WAIT_S = 60;

    /**
     * Adds state a function needs beyond its captured arguments, e.g. the values of the shell's
     * top-level variables, which are static fields in the driver. Called on every submission;
     * throws {@link SerializationException} naming the variable when one cannot be sent.
     */
    @FunctionalInterface
    public interface TaskCapture {
        List<StaticValue> capture(Object function);
    }

    private final StreamObserver<ClientMessage> out;
    /** Runs the node's messages that may block, in order (see {@link Inbound}). */
    private final ExecutorService lane = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sonde-client-inbound");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentHashMap<String, CompletableFuture<ObjectValue>> objects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<NamedActorReply>> namedActorRequests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<ClassBytes>> classRequests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<CancelOutcome>> cancelRequests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<io.sonde.proto.SpaceReserved>> reserveRequests =
            new ConcurrentHashMap<>();
    /** The node's shared-memory object store, as this process writes and reads it; set once registered. */
    private volatile SharedObjects shared;
    private volatile ClassLoader classSource = Thread.currentThread().getContextClassLoader();
    /**
     * The refs this process holds, by object: how many {@link ObjectRefImpl} instances are alive,
     * whether it owns the object or borrowed it, and how often it serialized a ref to it into a
     * value or task. The last instance's collection releases it at the node.
     */
    private final ConcurrentHashMap<String, LocalRef> refs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> borrowRequests = new ConcurrentHashMap<>();
    private final java.lang.ref.Cleaner cleaner = java.lang.ref.Cleaner.create();
    private final CompletableFuture<Registered> registered = new CompletableFuture<>();
    private final AtomicLong sequence = new AtomicLong();
    private final FunctionDescriber functions = new FunctionDescriber();
    private final boolean worker;
    private final Supplier<String> currentTaskId;
    private final String endpoint;
    private volatile LogRelay logRelay;
    private volatile TaskCapture capture;
    private volatile java.util.function.Consumer<ObjectRef<?>> submissionListener;
    /** Set once registered; plug-in messages that come before are dropped (none does: nothing was sent yet). */
    private volatile ClientPlugins plugins;
    private volatile Registered info;
    private volatile SondeException connectionLost;

    /**
     * @param connect       opens the session given the observer for the node manager's messages
     * @param currentTaskId the running task's id in a worker; null in a driver
     */
    public CoreClient(Function<StreamObserver<NodeMessage>, StreamObserver<ClientMessage>> connect,
                      RegisterClient registration, Supplier<String> currentTaskId, LogRelay logRelay,
                      String endpoint) {
        this.worker = !registration.getIsDriver();
        this.currentTaskId = currentTaskId == null ? () -> "" : currentTaskId;
        this.logRelay = logRelay;
        this.endpoint = endpoint;
        StreamObserver<ClientMessage> raw = connect.apply(new Inbound());
        this.out = new SerializedObserver<>(raw);
        send(ClientMessage.newBuilder().setRegister(registration).build());
        try {
            info = registered.get(REGISTRATION_WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SondeException("interrupted while connecting to the Sonde node manager at " + endpoint);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            Optional<io.grpc.Status> refused = refusal(cause);
            if (refused.isPresent()) {
                // it is running, and said no: its reason says how to get in
                throw new SondeException("the Sonde node manager at " + endpoint + " refused this client: "
                        + refused.get().getDescription(), cause);
            }
            if (cause instanceof TimeoutException) {
                // no error either: something holds the connection, and nothing answered
                throw new SondeException("the Sonde node manager at " + endpoint + " did not answer this "
                        + (worker ? "worker" : "driver") + "'s registration within " + REGISTRATION_WAIT_S + " s:"
                        + " it is overloaded (many processes starting at once on few cores) or stuck. Its log, in"
                        + " the session directory, may say which; `sonde status` tells whether it answers at all.",
                        cause);
            }
            throw new SondeException("could not connect to the Sonde node manager at " + endpoint
                    + ". Is the cluster running? Start one with `sonde start --head`, or call Sonde.init() without an address"
                    + " to run an embedded one.", cause);
        }
        if (!worker && !info.getSessionDir().isEmpty() && Files.isDirectory(Path.of(info.getSessionDir()))) {
            // gRPC's and Netty's own stack traces go to the session's logs, not the user's terminal
            LibraryLogs.routeTo(Path.of(info.getSessionDir(), "logs", "driver-" + ProcessHandle.current().pid() + ".log"));
        }
        shared = new SharedObjects(info, storeRequests);
        ClientPlugins loaded = ClientPlugins.load();
        loaded.start(p -> new PluginContext(p.name()));
        plugins = loaded;
    }

    private final StoreRequests storeRequests = new StoreRequests();

    /** The object store's requests to the node, on this client's stream. */
    private final class StoreRequests implements SharedObjects.Node {
        @Override
        public SharedObjects.Reservation reserve(String objectId, long size, boolean mayRecycle, boolean arena) {
            long requestId = sequence.incrementAndGet();
            CompletableFuture<io.sonde.proto.SpaceReserved> f = new CompletableFuture<>();
            reserveRequests.put(requestId, f);
            SondeException lost = connectionLost;
            if (lost != null) {
                f.completeExceptionally(lost);
            }
            try {
                send(ClientMessage.newBuilder().setReserve(io.sonde.proto.ReserveSpace.newBuilder()
                        .setRequestId(requestId).setObjectId(objectId).setSize(size).setMayRecycle(mayRecycle)
                        .setArena(arena)).build());
                io.sonde.proto.SpaceReserved r = f.get();
                if (!r.getError().isEmpty()) {
                    throw new ObjectStoreFullException(r.getError());
                }
                if (r.getArenaGeneration() != 0) {
                    return new SharedObjects.Reservation(null, r.getArenaOffset(), r.getArenaGeneration());
                }
                return r.getRecycled().isEmpty() ? SharedObjects.Reservation.FILE
                        : new SharedObjects.Reservation(r.getRecycled(), -1, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SondeException("interrupted while waiting for room in the object store for " + objectId, e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof SondeException ? here((SondeException) e.getCause())
                        : new SondeException("failed waiting for room in the object store: " + e.getCause(), e.getCause());
            } finally {
                reserveRequests.remove(requestId);
            }
        }

        @Override
        public void viewed(String fileName) {
            noteAndWait(List.of(fileName), ClientMessage.Builder::setViewed);
        }

        @Override
        public void abandon(String objectId) {
            try {
                send(ClientMessage.newBuilder().setRelease(ReleaseObjects.newBuilder().addObjectIds(objectId)).build());
            } catch (RuntimeException closed) {
                // the session ended: the node dropped what this client reserved with it
            }
        }

        @Override
        public void restored(String objectId, long bytes) {
            try {
                send(ClientMessage.newBuilder().setRestored(io.sonde.proto.ObjectsRestored.newBuilder()
                        .addObjectIds(objectId).setBytes(bytes)).build());
            } catch (RuntimeException closed) {
                // figures only
            }
        }
    }

    /**
     * {@code value} as object {@code id} of this process: in the node's shared-memory store when it
     * is large, else inline. A worker writes its task's result with it.
     */
    public ObjectValue store(String id, Object value) {
        SharedObjects s = shared;
        return collectingRefs(() -> s == null ? Serializer.value(value) : s.encode(id, value),
                (v, contained) -> v.toBuilder().addAllContainedIds(contained).build());
    }

    /** Reads a value received from the node (inline, or in its object store) with {@code loader}; see {@link Serializer#read}. */
    public Object read(ObjectValue v, ClassLoader loader) {
        SharedObjects s = shared;
        Object value = decoding(() -> Serializer.read(v, loader, s == null ? null : s::read));
        if (s != null && v.getSharedSize() > 0 && value instanceof java.nio.ByteBuffer) {
            // a view of the store's file: the node must never write a later object over it
            storeRequests.viewed(v.getSharedId());
        }
        return value;
    }

    /** This client's plug-in of that class ({@link io.sonde.spi.ClientPlugin}), if it has one. */
    public <T> Optional<T> plugin(Class<T> type) {
        ClientPlugins p = plugins;
        return p == null ? Optional.empty() : p.find(type);
    }

    /** In a driver: {@code Sonde.breakpoint()}; whether a plug-in took it (see {@link io.sonde.spi.ClientPlugin#breakpoint}). */
    public boolean breakpoint() {
        ClientPlugins p = plugins;
        return p != null && !worker && p.breakpoint();
    }

    public Registered info() {
        return info;
    }

    public void setLogRelay(LogRelay relay) {
        this.logRelay = relay;
    }

    public LogRelay logRelay() {
        return logRelay;
    }

    /**
     * Where a driver finds the bytes of classes its workers ask for: the loader that defined the
     * program's in-memory classes (the source launcher's, or the shell's). The context class loader
     * of the thread that created this client by default.
     */
    public void setClassSource(ClassLoader loader) {
        this.classSource = loader;
    }

    public void setTaskCapture(TaskCapture capture) {
        this.capture = capture;
    }

    /** Told of every task and actor call this client submits (the shell cancels a snippet's tasks on Ctrl-C). */
    public void setSubmissionListener(java.util.function.Consumer<ObjectRef<?>> listener) {
        this.submissionListener = listener;
    }

    /** Worker side: the bytecode of a class of this job that is not on the worker's classpath, or null. */
    public byte[] fetchClass(String className) {
        long requestId = sequence.incrementAndGet();
        CompletableFuture<ClassBytes> reply = new CompletableFuture<>();
        classRequests.put(requestId, reply);
        try {
            send(ClientMessage.newBuilder().setFetchClass(FetchClass.newBuilder()
                    .setRequestId(requestId).setClassName(className)).build());
            // Uninterruptibly: the class is loaded for whatever code needs it, not for the task that
            // runs now. A cancel that interrupts that task must not make the class missing, which the
            // JVM would remember for every later task of this worker; the interrupt stays set.
            ClassBytes b = Uninterruptibles.getUninterruptibly(reply, 30, TimeUnit.SECONDS);
            return b.getFound() ? b.getBytecode().toByteArray() : null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } finally {
            classRequests.remove(requestId);
        }
    }

    private void serveClass(FetchClass request) {
        ClassBytes.Builder reply = ClassBytes.newBuilder().setRequestId(request.getRequestId());
        String resource = request.getClassName().replace('.', '/') + ".class";
        for (ClassLoader loader : new ClassLoader[] {classSource, Thread.currentThread().getContextClassLoader()}) {
            if (loader == null || reply.getFound()) {
                continue;
            }
            try (java.io.InputStream in = loader.getResourceAsStream(resource)) {
                if (in != null) {
                    reply.setFound(true).setBytecode(com.google.protobuf.ByteString.readFrom(in));
                }
            } catch (java.io.IOException e) {
                // try the next loader; not found is answered below
            }
        }
        send(ClientMessage.newBuilder().setClassBytes(reply).build());
    }

    // ------------------------------------------------------------------ submission

    public <R> ObjectRef<R> submitTask(Object fn, Object[] args, CallOptions o) {
        TaskSpec.Builder spec = specOf(() -> {
            FunctionDescriber.Described f = describe(fn, TaskKind.NORMAL, o.name);
            String name = o.name != null ? o.name : f.name();
            return baseSpec(nextId('t'), name, TaskKind.NORMAL, f, args, o)
                    .setMaxRetries(o.maxRetries)
                    .setOomRetries(o.oomRetries)
                    .setRetryExceptions(o.retryExceptions)
                    .addAllRetryExceptionClasses(o.retryExceptionClasses);
        });
        return submit(spec);
    }

    /**
     * A task's spec, with the refs serialized into it (its function, captured variables, inline
     * arguments): the node keeps those objects while the task may run.
     */
    private TaskSpec.Builder specOf(Supplier<TaskSpec.Builder> build) {
        return collectingRefs(build, TaskSpec.Builder::addAllContainedRefs);
    }

    public <A> ActorHandle<A> createActor(Object constructor, Object[] args, CallOptions o) {
        FunctionDescriber.Described f = describe(constructor, TaskKind.ACTOR_CREATION, o.name);
        String className = f.resultClass().isEmpty() ? f.name() : f.resultClass();
        if (o.name != null) {
            Optional<NamedActorReply> first = lookUpActor(o.name, o.namespace, false);
            if (first.isPresent()) {
                NamedActorReply r = first.get();
                throw new IllegalArgumentException("an actor named '" + o.name + "' already exists in namespace '"
                        + r.getNamespace() + "': actor " + r.getActorClass() + " (id=" + r.getActorId() + "); pick"
                        + " another name, end that actor first, or get it with Sonde.getActor(\"" + o.name + "\", \""
                        + r.getNamespace() + "\")");
            }
        }
        String actorId = nextId('a');
        TaskSpec.Builder spec = specOf(() -> baseSpec(nextId('t'), className, TaskKind.ACTOR_CREATION, f, args, o)
                .setActorId(actorId)
                .setActorClass(className)
                .setActorName(o.name == null ? "" : o.name)
                .setMaxRestarts(o.maxRestarts)
                .setMaxTaskRetries(o.maxTaskRetries)
                .setMaxConcurrency(o.maxConcurrency)
                .setDetached(o.detached)
                .setNamespace(o.namespace == null ? "" : o.namespace));
        submit(spec);
        // the actor's anchor, which the node made with it: this handle is its first holder
        return new ActorHandleImpl<>(actorId, className, o.name, o.detached ? null : track(actorId, true));
    }

    public <R> ObjectRef<R> callActor(ActorHandle<?> actor, Object method, Object[] args, CallOptions o) {
        TaskSpec.Builder spec = specOf(() -> {
            FunctionDescriber.Described f = describe(method, TaskKind.ACTOR_METHOD, o.name);
            String name = o.name != null ? o.name : actor.className() + "." + f.name();
            return baseSpec(nextId('t'), name, TaskKind.ACTOR_METHOD, f, args, o)
                    .setActorId(actor.actorId())
                    .setActorClass(actor.className());
        });
        return submit(spec);
    }

    /**
     * {@code handle.terminate()}: an actor call without a function, queued behind the calls
     * submitted before it; the worker ends the actor when it comes to it. Its caller is named in
     * the failures of later calls, recording call sites or not.
     */
    public ObjectRef<Void> terminateActor(ActorHandle<?> actor) {
        String id = nextId('t');
        return submit(TaskSpec.newBuilder()
                .setTaskId(id)
                .setReturnId(id)
                .setJobId(info.getJobId())
                .setName(actor.className() + ".terminate")
                .setKind(TaskKind.ACTOR_METHOD)
                .setParentTaskId(currentTaskId.get())
                .setOwnerId(info.getClientId())
                .setCallSite(CallSites.always())
                .setActorId(actor.actorId())
                .setActorClass(actor.className())
                .setTerminate(true));
    }

    /** A function (its lambda and what it captures) larger than this is refused, as Ray refuses one over 100 MiB. */
    static final long FUNCTION_SIZE_ERROR = 100L << 20;
    /** ... and one larger than this gets a warning, once, as Ray warns over 10 MB. */
    static final long FUNCTION_SIZE_WARNING = 10_000_000L;
    private final java.util.Set<String> warnedLarge = ConcurrentHashMap.newKeySet();

    /**
     * The function to send; a failure to serialize it says which kind of call it was for. One that
     * captures too much is refused, or warned about once, naming what to do instead.
     */
    private FunctionDescriber.Described describe(Object fn, TaskKind kind, String name) {
        FunctionDescriber.Described f;
        try {
            f = functions.describe(fn);
        } catch (SerializationException e) {
            throw new SerializationException(describeKind(kind) + (name == null ? "" : " " + name)
                    + " cannot be sent to a worker: " + e.getMessage(), e.getCause());
        }
        long size = f.bytes().size();
        if (size > FUNCTION_SIZE_WARNING) {
            String what = describeKind(kind) + " " + (name != null ? name : f.name());
            String fix = "Check that it does not capture a large array or object by accident; pass large data as an"
                    + " argument, or put it once with Sonde.put and pass the ref.";
            if (size > FUNCTION_SIZE_ERROR) {
                throw new IllegalArgumentException("the function of " + what + " is too large to send to a worker: "
                        + mib(size) + " with what it captures, over the limit of " + mib(FUNCTION_SIZE_ERROR)
                        + ". " + fix);
            }
            if (warnedLarge.add(f.cacheKey().isEmpty() ? f.name() : f.cacheKey())) {
                System.err.println("sonde: warning: the function of " + what + " is very large: " + mib(size)
                        + " with what it captures, sent with every call. " + fix);
            }
        }
        return f;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    private static Scheduling scheduling(SchedulingStrategy s) {
        return Scheduling.newBuilder().setStrategy(Scheduling.Strategy.valueOf(s.kind().name()))
                .setNodeId(s.nodeId()).setSoft(s.soft()).build();
    }

    private static final Scheduling SPREAD = scheduling(SchedulingStrategy.SPREAD);

    private TaskSpec.Builder baseSpec(String id, String name, TaskKind kind, FunctionDescriber.Described f,
                                      Object[] args, CallOptions o) {
        TaskSpec.Builder spec = TaskSpec.newBuilder()
                .setTaskId(id)
                .setReturnId(id)
                .setJobId(info.getJobId())
                .setName(name)
                .setKind(kind)
                .setFunction(f.bytes())
                .setFunctionKey(f.cacheKey())
                .setParentTaskId(currentTaskId.get())
                .setOwnerId(info.getClientId())
                .setNumCpus(o.numCpus)
                .setMemory(o.memory)
                .setCallSite(CallSites.current());
        if (!o.resources.isEmpty()) {
            spec.putAllResources(o.resources);
        }
        if (kind != TaskKind.ACTOR_METHOD) {
            spec.addAllJvmOptions(o.jvmOptions);
        }
        // DEFAULT is the field's absence (the message's default); the others are set
        if (o.scheduling.kind() == SchedulingStrategy.Kind.SPREAD) {
            spec.setScheduling(SPREAD);
        } else if (o.scheduling.kind() != SchedulingStrategy.Kind.DEFAULT) {
            spec.setScheduling(scheduling(o.scheduling));
        }
        TaskCapture c = capture;
        if (c != null) {
            try {
                spec.addAllStatics(c.capture(f.function()));
            } catch (SerializationException e) {
                throw new SerializationException(describeKind(kind) + " " + name + " cannot be sent to a worker: "
                        + e.getMessage(), e.getCause());
            }
        }
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof ObjectRef) {
                spec.addArgs(Arg.newBuilder().setRefId(((ObjectRef<?>) a).id()));
            } else {
                try {
                    ObjectValue v = store(nextId('g'), a);
                    if (v.getSharedSize() > 0) {
                        // a large argument goes to the store, as a put owned by this client that the
                        // task pins until it is done; this client lets go of it at once
                        send(ClientMessage.newBuilder().setPut(PutObject.newBuilder().setObjectId(v.getSharedId())
                                .setValue(v)).build());
                        spec.addArgs(Arg.newBuilder().setRefId(v.getSharedId()));
                    } else {
                        spec.addArgs(Arg.newBuilder().setValue(v));
                        List<String> task = ENCODING.get(); // the refs inside travel with the task
                        if (task != null) {
                            task.addAll(v.getContainedIdsList());
                        }
                    }
                } catch (SerializationException e) {
                    throw new SerializationException("argument " + i + " of " + describeKind(kind) + " " + name
                            + " cannot be sent to a worker: " + e.getMessage(), e.getCause());
                }
            }
        }
        return spec;
    }

    // ------------------------------------------------------------------ submission back-pressure

    /** Normal tasks this client keeps at the node at most: more wait in {@link #awaitRoom}. */
    public static final String MAX_PENDING_TASKS_ENV = "SONDE_MAX_PENDING_TASKS";
    public static final String MAX_PENDING_TASKS_PROPERTY = "sonde.maxPendingTasks";
    static final int DEFAULT_MAX_PENDING_TASKS = 10_000;
    /** How long a submit waits for room while no task of this client ends, before it goes anyway. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private boolean stallTold;
    private final int maxPendingTasks = maxPendingTasks(System.getProperty(MAX_PENDING_TASKS_PROPERTY,
            System.getenv(MAX_PENDING_TASKS_ENV)));
    /** Guards {@link #pendingTasks}, {@link #lastEndNanos} and {@link #stalled}; nothing else is done while holding it. */
    private final Object room = new Object();
    /** Normal tasks submitted whose end the node has not told yet. */
    private int pendingTasks;
    private long lastEndNanos = System.nanoTime();
    /** No task of this client ended for {@link #STALL_NANOS} while a submit waited: submits go on until one ends. */
    private boolean stalled;

    /**
     * @throws IllegalArgumentException the setting is not a whole number, 1 or more
     */
    static int maxPendingTasks(String setting) {
        if (setting == null || setting.isBlank()) {
            return DEFAULT_MAX_PENDING_TASKS;
        }
        try {
            int n = Integer.parseInt(setting.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(MAX_PENDING_TASKS_ENV + " (or -D" + MAX_PENDING_TASKS_PROPERTY + ") must be a"
                + " whole number, 1 or more, of the tasks a driver or worker keeps at the node at once; got \"" + setting
                + "\" (the default is " + DEFAULT_MAX_PENDING_TASKS + ")");
    }

    /**
     * Waits, before a normal task is submitted, until this client has fewer than
     * {@value #MAX_PENDING_TASKS_ENV} tasks at the node, so that a driver submitting a million
     * tasks does not fill the node's heap: the submitting thread goes at the pace the cluster
     * runs them. A task waiting here lends its CPUs, as one in get does. Never a deadlock: when
     * none of this client's tasks ends for {@link #STALL_NANOS} (they may wait for something this
     * thread has yet to do), submits go on unbounded until one ends, and stderr says so once.
     */
    private void awaitRoom() {
        synchronized (room) {
            if (pendingTasks < maxPendingTasks || stalled || connectionLost != null) {
                pendingTasks++;
                return;
            }
        }
        blocked(true);
        boolean interrupted = false;
        String stallText = null;
        try {
            synchronized (room) {
                long since = System.nanoTime();
                while (pendingTasks >= maxPendingTasks && !stalled && connectionLost == null) {
                    long left = Math.max(since, lastEndNanos) + STALL_NANOS - System.nanoTime();
                    if (left <= 0) {
                        stalled = true;
                        String text = "sonde: " + pendingTasks + " tasks of this " + (worker ? "worker" : "driver")
                                + " are at the node (" + MAX_PENDING_TASKS_ENV + "=" + maxPendingTasks + ") and none"
                                + " ended in the last " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s: more are"
                                + " submitted without waiting until one ends (if they wait for something this program"
                                + " does after submitting them, that is why; `sonde list tasks` shows where they are)";
                        stallText = stallTold ? null : text;
                        stallTold = true;
                        break;
                    }
                    try {
                        room.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        interrupted = true; // the task is submitted all the same: its ref is the caller's
                    }
                }
                pendingTasks++;
            }
            if (stallText != null) { // said outside the monitor: the console may block
                LibraryLogs.record(stallText, null);
                System.err.println(stallText + ". Said once.");
            }
        } finally {
            blocked(false);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The node says {@code count} more of this client's normal tasks ended: room for as many. */
    private void tasksEnded(int count) {
        synchronized (room) {
            pendingTasks = Math.max(0, pendingTasks - count);
            lastEndNanos = System.nanoTime();
            stalled = false;
            room.notifyAll();
        }
    }

    private static String describeKind(TaskKind kind) {
        return kind == TaskKind.NORMAL ? "task" : kind == TaskKind.ACTOR_CREATION ? "the constructor of actor" : "actor call";
    }

    private <R> ObjectRef<R> submit(TaskSpec.Builder spec) {
        String id = spec.getReturnId();
        ClientPlugins p = plugins;
        if (p != null) {
            p.taskSubmitted(spec);
        }
        objects.put(id, new CompletableFuture<>());
        if (spec.getKind() == TaskKind.NORMAL) {
            awaitRoom();
        }
        send(ClientMessage.newBuilder().setSubmit(spec).build());
        releaseArgumentPuts(spec);
        ObjectRef<R> ref = owned(id);
        java.util.function.Consumer<ObjectRef<?>> listener = submissionListener;
        if (listener != null) {
            listener.accept(ref);
        }
        return ref;
    }

    /**
     * Lets go of the objects {@link #baseSpec} put for the task's large arguments: the node pins
     * them for the task, which it saw first on this ordered stream, so they live as long as it
     * needs them and no longer.
     */
    private void releaseArgumentPuts(TaskSpec.Builder spec) {
        String mine = info.getClientId() + 'g';
        ReleaseObjects.Builder r = null;
        for (Arg a : spec.getArgsList()) {
            if (a.getKindCase() == Arg.KindCase.REF_ID && a.getRefId().startsWith(mine)) {
                (r == null ? r = ReleaseObjects.newBuilder() : r).addObjectIds(a.getRefId());
            }
        }
        if (r != null) {
            send(ClientMessage.newBuilder().setRelease(r).build());
        }
    }

    /** A ref to an object this client owns: released when the ref is garbage collected. */
    private <T> ObjectRef<T> owned(String id) {
        return track(id, true);
    }

    /** One live ref of this process to an object. */
    private static final class LocalRef {
        final boolean owned;
        int live;
        int escapes;
        /** A get read its failure: it was handled, and is not reported when the ref goes. */
        boolean read;

        LocalRef(boolean owned) {
            this.owned = owned;
        }
    }

    /** A new ref instance to {@code id}, counted, released with the last one; whether the process owns the object. */
    private <T> ObjectRefImpl<T> track(String id, boolean owned) {
        refs.compute(id, (k, r) -> {
            LocalRef l = r != null ? r : new LocalRef(owned);
            l.live++;
            return l;
        });
        ObjectRefImpl<T> ref = new ObjectRefImpl<>(id, this);
        cleaner.register(ref, () -> dropped(id));
        return ref;
    }

    /** Refs serialized by this thread's current encoding, to be sent with it (see {@link #collectingRefs}). */
    private static final ThreadLocal<List<String>> ENCODING = new ThreadLocal<>();
    /** The client decoding on this thread, and the objects it starts to borrow (see {@link #decoding}). */
    private static final ThreadLocal<CoreClient> DECODING = new ThreadLocal<>();
    private static final ThreadLocal<List<String>> BORROWING = new ThreadLocal<>();

    /**
     * A ref to {@code id} was serialized on this thread: inside a Sonde encoding, it is sent with
     * the value (which keeps the object alive) and counted as an escape of this process's ref, so
     * that the node waits for the value before it honours this process's release. A ref serialized
     * elsewhere (to a file, say) protects nothing.
     */
    static void serialized(String id, CoreClient holder) {
        List<String> collecting = ENCODING.get();
        if (collecting == null) {
            return;
        }
        collecting.add(id);
        if (holder != null) {
            holder.refs.computeIfPresent(id, (k, r) -> {
                r.escapes++;
                return r;
            });
        }
    }

    /**
     * A ref read out of a value on this thread: while this client decodes, it becomes one of its
     * counted refs (a borrow when it does not own the object); else a plain, uncounted ref.
     */
    static Object deserialized(ObjectRefImpl<?> ref) {
        CoreClient c = DECODING.get();
        if (c == null) {
            return ref;
        }
        boolean[] fresh = {false};
        c.refs.compute(ref.id(), (k, r) -> {
            if (r == null) {
                fresh[0] = true;
                r = new LocalRef(false);
            }
            r.live++;
            return r;
        });
        if (fresh[0]) {
            BORROWING.get().add(ref.id());
        }
        ObjectRefImpl<?> counted = new ObjectRefImpl<>(ref.id(), c);
        c.cleaner.register(counted, () -> c.dropped(ref.id()));
        return counted;
    }

    /**
     * Runs an encoding that may serialize refs, and returns the ids of those it serialized. When
     * it fails, nothing was sent: the escapes it counted are taken back.
     */
    private <T> T collectingRefs(Supplier<T> encode, java.util.function.BiFunction<T, List<String>, T> attach) {
        List<String> outer = ENCODING.get();
        List<String> collected = new ArrayList<>(0);
        ENCODING.set(collected);
        T result;
        try {
            result = encode.get();
        } catch (RuntimeException | Error e) {
            for (String id : collected) {
                refs.computeIfPresent(id, (k, r) -> {
                    r.escapes--;
                    return r;
                });
            }
            throw e;
        } finally {
            ENCODING.set(outer);
        }
        return collected.isEmpty() ? result : attach.apply(result, collected);
    }

    /**
     * Runs a decoding: the refs it reads become this client's, and those of objects it did not
     * hold yet are borrowed at the node before the value is handed over, so that the value that
     * carried them may go at once.
     */
    public <T> T decoding(Supplier<T> decode) {
        CoreClient outer = DECODING.get();
        List<String> outerBorrowing = BORROWING.get();
        List<String> borrowing = new ArrayList<>(0);
        DECODING.set(this);
        BORROWING.set(borrowing);
        try {
            return decode.get();
        } finally {
            DECODING.set(outer);
            BORROWING.set(outerBorrowing);
            if (!borrowing.isEmpty()) {
                borrow(borrowing);
            }
        }
    }

    /**
     * Waits until the node has taken every message this client sent before (one round trip on the
     * ordered stream): a benchmark's rate counts what the node processed, not what waits in this
     * process's outgoing buffers.
     */
    public void sync() {
        noteAndWait(List.of(), ClientMessage.Builder::setBorrow);
    }

    /** Tells the node this client borrows the objects, and waits until it counted them. */
    private void borrow(List<String> ids) {
        noteAndWait(ids, ClientMessage.Builder::setBorrow);
    }

    /**
     * Sends a note the node answers once it has taken it (a borrow, a viewed file), and waits for
     * the answer. A lost connection ends the wait: every object goes with it, and a later get says so.
     */
    private void noteAndWait(List<String> ids,
                             java.util.function.BiFunction<ClientMessage.Builder, io.sonde.proto.BorrowRefs, ClientMessage.Builder> as) {
        if (connectionLost != null) {
            return;
        }
        long requestId = sequence.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        borrowRequests.put(requestId, done);
        try {
            send(as.apply(ClientMessage.newBuilder(), io.sonde.proto.BorrowRefs.newBuilder().setRequestId(requestId)
                    .addAllObjectIds(ids).build()).build());
            done.get(REGISTRATION_WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // the connection is lost, or the node is stuck: a later get says which
        } finally {
            borrowRequests.remove(requestId);
        }
    }

    /** One ref instance was collected; the last one releases the object at the node. */
    private void dropped(String id) {
        LocalRef[] gone = {null};
        refs.computeIfPresent(id, (k, r) -> {
            if (--r.live > 0) {
                return r;
            }
            gone[0] = r;
            return null;
        });
        LocalRef r = gone[0];
        if (r == null || connectionLost != null) {
            return;
        }
        // no future: nothing asked for the value (a ref read out of a value and never waited for),
        // so none comes; a future not done: its value still comes, is not kept, and a failure in
        // it is reported then
        CompletableFuture<ObjectValue> f = objects.get(id);
        boolean pending = f != null && !f.isDone();
        if (pending) {
            droppedPending.add(id);
        }
        objects.remove(id);
        if (pending && f.isDone() && droppedPending.remove(id)) {
            pending = false; // it came meanwhile, into the future just removed
        }
        if (f != null && !pending && !f.isCompletedExceptionally() && !r.read && r.escapes == 0) {
            unhandled(f.getNow(null));
        }
        ReleaseObjects.Builder m = ReleaseObjects.newBuilder();
        if (r.owned && r.escapes == 0) {
            m.addObjectIds(id);
        } else {
            m.addRefs(io.sonde.proto.ReleasedRef.newBuilder().setObjectId(id).setEscapes(r.escapes)
                    .setBorrowed(!r.owned));
        }
        queueRelease(m);
    }

    /**
     * {@code Sonde.free} at {@code site}: the node drops the values and keeps a failure saying so
     * in their place; this process's own copies go too, so its gets say the same.
     */
    public void free(List<? extends ObjectRef<?>> refs, String site) {
        if (refs.isEmpty()) {
            return;
        }
        String who = (worker ? "task " + currentTaskId.get() : "the driver") + " (pid " + ProcessHandle.current().pid()
                + ")" + (site.isEmpty() ? "" : " at " + site);
        io.sonde.proto.FreeObjects.Builder m = io.sonde.proto.FreeObjects.newBuilder();
        for (ObjectRef<?> r : refs) {
            m.addObjectIds(r.id());
        }
        String ids = refs.size() == 1 ? "object " + refs.get(0).id() : refs.size() + " objects (" + String.join(", ",
                m.getObjectIdsList().subList(0, Math.min(3, refs.size()))) + (refs.size() > 3 ? ", ..." : "") + ")";
        ObjectValue freed = Serializer.error(new io.sonde.ObjectFreedException(
                ids + " freed by Sonde.free in " + who + ": the value is gone. Free an object only once nothing"
                        + " reads it any more, or put the value again."));
        m.setFreed(freed);
        send(ClientMessage.newBuilder().setFree(m).build());
        for (ObjectRef<?> r : refs) {
            CompletableFuture<ObjectValue> f = objects.get(r.id());
            if (f != null && !f.complete(freed)) {
                objects.replace(r.id(), f, CompletableFuture.completedFuture(freed)); // its value read before
            }
            markRead(r.id(), freed); // freed on purpose: not an unhandled error when its ref goes
        }
    }

    /** Set to 1, failures that no get read are not reported when their last ref goes. */
    public static final String IGNORE_UNHANDLED_ERRORS = "SONDE_IGNORE_UNHANDLED_ERRORS";
    private static final boolean REPORT_UNHANDLED = !"1".equals(System.getenv(IGNORE_UNHANDLED_ERRORS));
    /** Objects whose last ref went before their value came: the value is not kept when it comes. */
    private final java.util.Set<String> droppedPending = ConcurrentHashMap.newKeySet();

    /** A get reads the object's failure: it is handled. */
    private void markRead(String id, ObjectValue v) {
        if (v.getIsError()) {
            refs.computeIfPresent(id, (k, r) -> {
                r.read = true;
                return r;
            });
        }
    }

    /**
     * The last ref of an object went and its value is a failure no get read, and no task or value
     * took the ref along: the program never learns of it, so it is printed, as Ray prints an
     * unhandled error (off with {@value #IGNORE_UNHANDLED_ERRORS}=1). On the thread that found
     * it; only the text is decoded.
     */
    private void unhandled(ObjectValue v) {
        if (v == null || !v.getIsError() || !REPORT_UNHANDLED) {
            return;
        }
        String failure;
        try {
            ClassLoader loader = classSource != null ? classSource : CoreClient.class.getClassLoader();
            failure = String.valueOf(read(v, loader));
        } catch (RuntimeException | LinkageError e) {
            failure = v.hasRemoteError() ? v.getRemoteError().getClassName() + ": " + v.getRemoteError().getMessage()
                    : "a failure that cannot be read here (" + e + ")";
        }
        System.err.println("Unhandled error (suppress with " + IGNORE_UNHANDLED_ERRORS + "=1): " + failure);
    }

    public <T> ObjectRef<T> put(T value) {
        String id = nextId('p');
        ObjectValue v;
        try {
            v = store(id, value);
        } catch (SerializationException e) {
            throw new SerializationException("Sonde.put: " + e.getMessage(), e.getCause());
        }
        objects.put(id, CompletableFuture.completedFuture(v));
        send(ClientMessage.newBuilder().setPut(PutObject.newBuilder().setObjectId(id).setValue(v)
                .setCallSite(CallSites.current())).build());
        ObjectRef<T> ref = owned(id);
        SharedObjects s = shared;
        if (v.getSharedSize() > 0 && s != null
                && putSinceCollect.addAndGet(v.getSharedSize()) >= s.collectEvery()) {
            putSinceCollect.set(0);
            collectGarbage();
        }
        return ref;
    }

    /**
     * {@code Sonde.put(value, owner)}: the object is the actor's, and this process borrows it.
     * Waits until the node has given it to the actor (once the actor is alive).
     *
     * @throws io.sonde.ActorDiedException the actor is dead, or dies before it is alive
     */
    public <T> ObjectRef<T> put(T value, String ownerActorId, String ownerName) {
        String id = nextId('p');
        ObjectValue v;
        try {
            v = store(id, value);
        } catch (SerializationException e) {
            throw new SerializationException("Sonde.put: " + e.getMessage(), e.getCause());
        }
        long requestId = sequence.incrementAndGet();
        CompletableFuture<Void> given = new CompletableFuture<>();
        borrowRequests.put(requestId, given);
        ObjectRef<T> ref;
        try {
            objects.put(id, CompletableFuture.completedFuture(v));
            ref = track(id, false);
            send(ClientMessage.newBuilder().setPut(PutObject.newBuilder().setObjectId(id).setValue(v)
                    .setCallSite(CallSites.current()).setOwnerActorId(ownerActorId).setRequestId(requestId)).build());
            given.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SondeException("Sonde.put(value, " + ownerName + ") was interrupted while it waited for the"
                    + " actor to be alive to own the object; the object is not put", e);
        } catch (ExecutionException e) {
            objects.remove(id);
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SondeException(String.valueOf(e.getCause()), e.getCause());
        } finally {
            borrowRequests.remove(requestId);
        }
        return ref;
    }

    /** Bytes this process put into the object store since it last had its garbage collected for it. */
    private final AtomicLong putSinceCollect = new AtomicLong();

    private String nextId(char kind) {
        return info.getClientId() + kind + Long.toHexString(sequence.incrementAndGet());
    }

    // ------------------------------------------------------------------ reading results

    public <T> T get(ObjectRef<T> ref, Duration timeout) {
        CompletableFuture<ObjectValue> f = future(ref.id());
        // a future that failed already (the connection is lost) goes through await, which unwraps it
        ObjectValue v = f.isCompletedExceptionally() ? null : f.getNow(null);
        if (v == null) {
            v = await(ref, f, timeout);
        }
        ClientPlugins p = plugins;
        if (p != null) {
            p.valueReceived(ref.id(), v);
        }
        markRead(ref.id(), v);
        return decode(v);
    }

    /**
     * The values of the refs, in order, within one wait of {@code timeout} for them all (null:
     * none); the first failure met in the list's order is thrown.
     */
    public <T> List<T> get(List<? extends ObjectRef<T>> refs, Duration timeout) {
        long started = System.nanoTime();
        // Ask for them all first: refs this client does not own are subscribed to at once, not one by one.
        List<CompletableFuture<ObjectValue>> futures = new ArrayList<>(refs.size());
        for (ObjectRef<T> r : refs) {
            futures.add(future(r.id()));
        }
        List<T> values = new ArrayList<>(refs.size());
        for (int i = 0; i < refs.size(); i++) {
            ObjectRef<T> ref = refs.get(i);
            CompletableFuture<ObjectValue> f = futures.get(i);
            ObjectValue v = f.getNow(null);
            if (v == null) {
                Duration left = timeout == null ? null
                        : Duration.ofNanos(Math.max(0, timeout.toNanos() - (System.nanoTime() - started)));
                v = await(ref, f, left, () -> notReady(refs, futures, timeout));
            }
            ClientPlugins p = plugins;
            if (p != null) {
                p.valueReceived(ref.id(), v);
            }
            markRead(ref.id(), v);
            values.add(decode(v));
        }
        return values;
    }

    /** Why a get of a list timed out: the whole wait asked for, and how many of the refs were not ready by then. */
    private static GetTimeoutException notReady(List<? extends ObjectRef<?>> refs,
                                                List<CompletableFuture<ObjectValue>> futures, Duration timeout) {
        List<ObjectRef<?>> missing = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            if (!futures.get(i).isDone()) {
                missing.add(refs.get(i));
            }
        }
        return new GetTimeoutException("Sonde.get timed out: " + missing.size() + " of " + refs.size() + " results not"
                + " ready after " + format(timeout) + " (" + (refs.size() - missing.size()) + " ready; not ready: "
                + (missing.size() <= 3 ? missing : missing.subList(0, 3) + " and " + (missing.size() - 3) + " more")
                + "). The tasks that produce them are still pending or running (see `sonde list tasks`). Wait"
                + " longer, use Sonde.wait to take the ready ones, or cancel the rest with Sonde.cancel(ref).");
    }

    private ObjectValue await(ObjectRef<?> ref, CompletableFuture<ObjectValue> f, Duration timeout) {
        long started = System.nanoTime();
        return await(ref, f, timeout, () -> new GetTimeoutException("Sonde.get timed out after "
                + format(Duration.ofNanos(System.nanoTime() - started)) + " waiting for " + ref + "; the task that"
                + " produces it is still pending or running (see `sonde list tasks`). Wait longer, or cancel it with"
                + " Sonde.cancel(ref)."));
    }

    private ObjectValue await(ObjectRef<?> ref, CompletableFuture<ObjectValue> f, Duration timeout,
                              Supplier<GetTimeoutException> timedOut) {
        if (f.isDone() && !f.isCompletedExceptionally()) {
            return f.getNow(null); // here already: nothing waits, so nothing is lent
        }
        blocked(true);
        try {
            return timeout == null ? f.get() : f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw timedOut.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SondeException("interrupted while waiting for " + ref, e);
        } catch (ExecutionException e) {
            if (e.getCause() == connectionLost) {
                throw here(connectionLost);
            }
            throw e.getCause() instanceof SondeException ? (SondeException) e.getCause()
                    : new SondeException("failed waiting for " + ref + ": " + e.getCause(), e.getCause());
        } finally {
            blocked(false);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T decode(ObjectValue v) {
        // A driver reads values with the loader of its program (which sees in-memory classes too);
        // a worker with its job loader, which is its task thread's context loader.
        ClassLoader loader = worker ? Thread.currentThread().getContextClassLoader() : classSource;
        if (loader == null) {
            loader = CoreClient.class.getClassLoader();
        }
        // read() names the producing task when the bytes cannot be rebuilt here, and turns a
        // failure whose exception cannot be rebuilt into a TaskException that tells it as text
        Object value;
        try {
            value = read(v, loader);
        } catch (OutOfMemoryError e) {
            throw tooLargeForHeap(v, e);
        }
        if (v.getIsError()) {
            SondeException e = (SondeException) value;
            // The stack that matters locally is the caller's; the remote one stays on the cause.
            StackTraceElement[] here = new Throwable().getStackTrace();
            e.setStackTrace(Arrays.copyOfRange(here, Math.min(2, here.length), here.length));
            throw e;
        }
        return (T) value;
    }

    /**
     * A value this process has no heap for: said as what it is (which value, how large, the heap's
     * ceiling) and what to do, instead of an OutOfMemoryError out of the serializer. The value is
     * intact in the object store: a get with more heap, or as a ByteBuffer, reads it.
     */
    private static io.sonde.OutOfMemoryException tooLargeForHeap(ObjectValue v, OutOfMemoryError e) {
        long size = v.getSharedSize() > 0 ? v.getSharedSize() : v.getData().size();
        String what = v.getProducer().isEmpty() ? "a value" : "the result of " + v.getProducer();
        return new io.sonde.OutOfMemoryException(what + " (" + String.format(java.util.Locale.ROOT, "%.1f MiB",
                size / (1024.0 * 1024)) + ") does not fit in this process's heap (max "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB): this process ran out of memory reading it."
                + " It is kept in the object store: read it with a larger -Xmx, as a ByteBuffer (read without a"
                + " copy), or make it smaller."
                + (v.getProducer().isEmpty() ? "" : " It is not retried: the task succeeded."), e);
    }

    public <T> WaitResult<T> wait(List<ObjectRef<T>> refs, int numReturns, Duration timeout) {
        if (numReturns < 0 || numReturns > refs.size()) {
            throw new IllegalArgumentException("numReturns must be between 0 and the number of refs (" + refs.size()
                    + "), got " + numReturns);
        }
        List<CompletableFuture<ObjectValue>> futures = new ArrayList<>(refs.size());
        for (ObjectRef<T> r : refs) {
            futures.add(future(r.id()));
        }
        CountDownLatch latch = new CountDownLatch(numReturns);
        for (CompletableFuture<ObjectValue> f : futures) {
            f.whenComplete((v, e) -> latch.countDown());
        }
        if (latch.getCount() > 0) {
            blocked(true);
            try {
                if (timeout == null) {
                    latch.await();
                } else {
                    latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SondeException("interrupted in Sonde.wait", e);
            } finally {
                blocked(false);
            }
        }
        List<ObjectRef<T>> ready = new ArrayList<>();
        List<ObjectRef<T>> unready = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            (futures.get(i).isDone() && ready.size() < Math.max(numReturns, 0) ? ready : unready).add(refs.get(i));
        }
        return new WaitResult<>(ready, unready);
    }

    private CompletableFuture<ObjectValue> future(String id) {
        CompletableFuture<ObjectValue> f = objects.get(id);
        if (f != null) {
            return f;
        }
        CompletableFuture<ObjectValue> fresh = new CompletableFuture<>();
        f = objects.putIfAbsent(id, fresh);
        if (f != null) {
            return f;
        }
        SondeException lost = connectionLost;
        if (lost != null) {
            fresh.completeExceptionally(lost);
        } else {
            send(ClientMessage.newBuilder().setSubscribe(Subscribe.newBuilder().addObjectIds(id)).build());
        }
        return fresh;
    }

    private void blocked(boolean blocked) {
        if (worker) {
            java.util.function.Consumer<Boolean> w = waits;
            if (w != null) {
                w.accept(blocked);
            }
            send(ClientMessage.newBuilder().setBlocked(BlockedNotice.newBuilder().setBlocked(blocked)).build());
        }
    }

    private volatile java.util.function.Consumer<Boolean> waits;

    /**
     * In a worker: told when a task of it starts waiting in get or wait for a value not here yet
     * ({@code true}), and when it goes on; before the node is.
     */
    public void onWait(java.util.function.Consumer<Boolean> waits) {
        this.waits = waits;
    }

    // ------------------------------------------------------------------ control

    /**
     * Cancels the task behind the ref (see {@code Sonde.cancel}). Returns at once; the future
     * completes with what the cancel did once the node knows: at once for tasks that waited,
     * when each running task it reached has ended, or after a grace of about a second with the
     * tasks that still run (they ignore interrupts: only a forced cancel ends them). It
     * completes exceptionally when the session ends first.
     */
    public CompletableFuture<CancelOutcome> cancel(ObjectRef<?> ref, boolean force, boolean recursive) {
        long requestId = sequence.incrementAndGet();
        CompletableFuture<CancelOutcome> outcome = new CompletableFuture<>();
        cancelRequests.put(requestId, outcome);
        outcome.whenComplete((o, e) -> cancelRequests.remove(requestId));
        try {
            send(ClientMessage.newBuilder().setCancel(CancelTask.newBuilder().setObjectId(ref.id()).setForce(force)
                    .setRecursive(recursive).setRequestId(requestId)).build());
        } catch (RuntimeException e) {
            cancelRequests.remove(requestId);
            throw e;
        }
        SondeException lost = connectionLost;
        if (lost != null) {
            outcome.completeExceptionally(lost); // the session ended while the cancel was sent
        }
        return outcome;
    }

    /**
     * {@code Sonde.cancel}: as {@link #cancel}, and when a task it interrupted still runs after the
     * grace, says so in this driver's output with what ends it, instead of letting the caller
     * believe it stopped.
     */
    public void cancelAndWarn(ObjectRef<?> ref, boolean force, boolean recursive) {
        cancel(ref, force, recursive).thenAccept(o -> {
            LogRelay relay = logRelay;
            if (relay == null) {
                return;
            }
            for (CancelledTask t : o.getTasksList()) {
                if (t.getOutcome() == CancelledTask.Outcome.STILL_RUNNING) {
                    relay.notice(t.getName(), t.getPid(), info.getNodeIp(), CancelTexts.stillRunning(t, ref));
                }
            }
        });
    }

    public void kill(ActorHandle<?> actor, boolean noRestart) {
        send(ClientMessage.newBuilder().setKill(KillActor.newBuilder()
                .setActorId(actor.actorId()).setNoRestart(noRestart)).build());
    }

    /**
     * The live actor named {@code name} in {@code namespace} (null: this job's), as a handle that
     * borrows its anchor: a holder of the actor while it lives.
     */
    public <A> Optional<ActorHandle<A>> getActor(String name, String namespace) {
        return lookUpActor(name, namespace, true).map(r -> new ActorHandleImpl<A>(r.getActorId(), r.getActorClass(),
                name, r.getDetached() ? null : borrowedAnchor(r.getActorId())));
    }

    /** @param borrow the node counts a borrow of the actor's anchor by this client when it finds the actor */
    private Optional<NamedActorReply> lookUpActor(String name, String namespace, boolean borrow) {
        long requestId = sequence.incrementAndGet();
        CompletableFuture<NamedActorReply> reply = new CompletableFuture<>();
        namedActorRequests.put(requestId, reply);
        String where = namespace == null ? "" : " in namespace '" + namespace + "'";
        send(ClientMessage.newBuilder().setGetNamedActor(GetNamedActor.newBuilder()
                .setRequestId(requestId).setName(name).setNamespace(namespace == null ? "" : namespace)
                .setBorrow(borrow)).build());
        try {
            NamedActorReply r = reply.get(30, TimeUnit.SECONDS);
            return r.getFound() ? Optional.of(r) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SondeException("interrupted while looking up actor '" + name + "'" + where, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SondeException("could not look up actor '" + name + "'" + where + " at the node manager "
                    + endpoint + ": " + e, e);
        } finally {
            namedActorRequests.remove(requestId);
        }
    }

    /**
     * A ref to an actor's anchor found by name, which the node counted as a borrow of this client
     * when it answered: kept when the ref is new here, given back when this process held the
     * anchor already (it is counted once per process).
     */
    private ObjectRefImpl<Void> borrowedAnchor(String actorId) {
        boolean[] fresh = {false};
        refs.compute(actorId, (k, r) -> {
            if (r == null) {
                fresh[0] = true;
                r = new LocalRef(false);
            }
            r.live++;
            return r;
        });
        if (!fresh[0]) {
            queueRelease(ReleaseObjects.newBuilder().addRefs(io.sonde.proto.ReleasedRef.newBuilder()
                    .setObjectId(actorId).setBorrowed(true)));
        }
        ObjectRefImpl<Void> ref = new ObjectRefImpl<>(actorId, this);
        cleaner.register(ref, () -> dropped(actorId));
        return ref;
    }

    /**
     * Ends the session; the node manager cleans up what this client owned. Waits still pending in
     * other threads end with a {@link SondeException}: an embedded node has stopped by now and no
     * longer tells this client anything, not even that the session ended.
     */
    public void close() {
        try {
            out.onCompleted();
        } catch (RuntimeException ignored) {
            // the stream may already be gone; closing is best effort
        }
        lose(new SondeException("Sonde was shut down (Sonde.shutdown() or the JVM's exit) while this waited for the"
                + " node manager at " + endpoint + "; what it waited for will not arrive. Wait for results before"
                + " shutting down."));
        ClientPlugins p = plugins;
        if (p != null) {
            p.close();
        }
        lane.shutdown(); // what is queued still runs
        SharedObjects store = shared;
        if (store != null) {
            store.close(); // once reads and writes in progress end
        }
        LogRelay relay = logRelay;
        if (relay != null) {
            relay.close();
        }
    }

    /** A collection asked for by the node and not run yet: more requests meanwhile add nothing. */
    private final java.util.concurrent.atomic.AtomicBoolean collecting = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Collects this process's garbage, so that the refs it dropped release their objects: a Java
     * ref is released when the collector finds it unreachable, and a process that puts large
     * values allocates too little heap for the collector to run by itself, so the store would fill
     * with objects no one can reach and spill them. Asked for by the node when its store is full,
     * and by {@link #put} after every eighth of the store put (as the JDK collects when direct
     * buffers reach their limit). On a thread of its own: a collection takes a while and must hold
     * up neither the node's messages nor the caller.
     */
    private void collectGarbage() {
        if (!collecting.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                System.gc();
            } finally {
                collecting.set(false);
            }
        }, "sonde-collect-garbage");
        t.setDaemon(true);
        t.start();
    }

    private void send(ClientMessage m) {
        SondeException lost = connectionLost;
        if (lost != null) {
            throw here(lost);
        }
        synchronized (outOrder) {
            flushReleases(); // the releases before it stay before it
            out.onNext(m);
        }
    }

    /**
     * Orders this client's messages with the releases waiting in {@link #releases}: every send
     * sends those first, under this lock. Nothing else is done while holding it.
     */
    private final Object outOrder = new Object();
    /** Releases not sent yet; consecutive ones travel in one message. Guarded by {@link #outOrder}. */
    private ReleaseObjects.Builder releases;
    private boolean releaseFlushDue;
    /** Releases in one message at most. */
    private static final int RELEASE_BATCH = 1024;
    /** How long a release waits for others to go with it. */
    private static final long RELEASE_DELAY_MS = 2;
    private static final java.util.concurrent.ScheduledExecutorService RELEASE_FLUSHER =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sonde-release-flusher");
                t.setDaemon(true);
                return t;
            });

    /**
     * Queues a release: a collection drops thousands of refs at once, and one message per ref kept
     * the node busy (and the driver's outgoing queue full, holding hundreds of MB) for seconds
     * after 2 million small puts. They go together within {@value #RELEASE_DELAY_MS} ms, at
     * {@value #RELEASE_BATCH} at most, or before the next message this client sends.
     */
    private void queueRelease(ReleaseObjects.Builder one) {
        synchronized (outOrder) {
            // the node takes a message's plain releases before its counted ones: a batch holds one kind, in order
            if (releases != null && (releases.getObjectIdsCount() > 0) != (one.getObjectIdsCount() > 0)) {
                flushReleases();
            }
            if (releases == null) {
                releases = ReleaseObjects.newBuilder();
            }
            releases.addAllObjectIds(one.getObjectIdsList()).addAllRefs(one.getRefsList());
            if (releases.getObjectIdsCount() + releases.getRefsCount() >= RELEASE_BATCH) {
                flushReleases();
            } else if (!releaseFlushDue) {
                releaseFlushDue = true;
                try {
                    RELEASE_FLUSHER.schedule(this::flushReleasesNow, RELEASE_DELAY_MS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    flushReleases();
                }
            }
        }
    }

    private void flushReleasesNow() {
        synchronized (outOrder) {
            flushReleases();
        }
    }

    /** Sends the queued releases; under {@link #outOrder}. A lost connection drops them: the node dropped the objects. */
    private void flushReleases() {
        releaseFlushDue = false;
        ReleaseObjects.Builder r = releases;
        if (r == null) {
            return;
        }
        releases = null;
        if (connectionLost != null) {
            return;
        }
        try {
            out.onNext(ClientMessage.newBuilder().setRelease(r).build());
        } catch (RuntimeException closed) {
            // the session ended; the node manager dropped the job's objects with it
        }
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0);
    }

    /** What one plug-in of this client may use of it. */
    private final class PluginContext implements ClientContext {
        private final String plugin;

        PluginContext(String plugin) {
            this.plugin = plugin;
        }

        @Override
        public boolean isWorker() {
            return worker;
        }

        @Override
        public String currentTaskId() {
            return currentTaskId.get();
        }

        @Override
        public String nodeIp() {
            return info.getNodeIp();
        }

        @Override
        public void notice(String who, long pid, String ip, String text) {
            LogRelay relay = logRelay;
            if (relay != null) {
                relay.notice(who, pid, ip, text);
            }
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> holdLogs(boolean hold) {
            LogRelay relay = logRelay;
            return relay == null || worker ? java.util.concurrent.CompletableFuture.completedFuture(null) : relay.hold(hold);
        }

        @Override
        public void sendToNode(com.google.protobuf.ByteString payload) {
            send(ClientMessage.newBuilder().setPlugin(PluginMessage.newBuilder().setPlugin(plugin).setPayload(payload))
                    .build());
        }
    }

    /**
     * The node's messages. Those that only complete a future are handled on the thread that
     * delivers them (for an embedded node, the node's own thread right after it lets go of its
     * lock: no thread handoff per result); those that may block or call back into the node (log
     * lines printed, a worker's class request answered, a plug-in's message, the end of the
     * connection) go to this client's own serial {@link #lane}. Order is kept: while the lane has
     * work, every message queues behind it.
     */
    private final class Inbound implements NonBlockingObserver<NodeMessage> {
        /** Messages queued or running on the lane; guarded by {@code this}, nothing is called under it. */
        private int onLane;

        @Override
        public void onNext(NodeMessage m) {
            boolean quick = switch (m.getBodyCase()) {
                case READY, REGISTERED, CLASS_BYTES, CANCEL_OUTCOME, NAMED_ACTOR, TASKS_ENDED -> true;
                default -> false;
            };
            route(quick, () -> handle(m));
        }

        @Override
        public void onError(Throwable t) {
            route(false, () -> broke(t));
        }

        @Override
        public void onCompleted() {
            route(false, this::closed);
        }

        private void route(boolean quick, Runnable work) {
            boolean here;
            synchronized (this) {
                here = quick && onLane == 0;
                if (!here) {
                    onLane++;
                }
            }
            if (here) {
                work.run();
                return;
            }
            try {
                lane.execute(() -> {
                    try {
                        work.run();
                    } finally {
                        synchronized (this) {
                            onLane--;
                        }
                    }
                });
            } catch (RejectedExecutionException closing) {
                // this client was closed: what is left is handled here, nothing is waiting for the lane
                synchronized (this) {
                    onLane--;
                }
                work.run();
            }
        }

        private void handle(NodeMessage m) {
            switch (m.getBodyCase()) {
                case READY -> {
                    if (droppedPending.remove(m.getReady().getObjectId())) {
                        unhandled(m.getReady().getValue()); // no ref is left to read it
                        return;
                    }
                    // every object this client waits for has its future before it is asked for; one
                    // without is one whose last ref went: its value is not kept
                    CompletableFuture<ObjectValue> f = objects.get(m.getReady().getObjectId());
                    if (f != null) {
                        f.complete(m.getReady().getValue());
                    }
                }
                case LOGS -> {
                    LogRelay relay = logRelay;
                    if (relay != null) {
                        relay.accept(m.getLogs());
                    }
                }
                case REGISTERED -> registered.complete(m.getRegistered());
                case CLASS_REQUEST -> serveClass(m.getClassRequest());
                case PLUGIN -> {
                    ClientPlugins p = plugins;
                    if (p != null) {
                        p.nodeMessage(m.getPlugin());
                    }
                }
                case CLASS_BYTES -> {
                    CompletableFuture<ClassBytes> f = classRequests.get(m.getClassBytes().getRequestId());
                    if (f != null) {
                        f.complete(m.getClassBytes());
                    }
                }
                case CANCEL_OUTCOME -> {
                    CompletableFuture<CancelOutcome> f = cancelRequests.get(m.getCancelOutcome().getRequestId());
                    if (f != null) {
                        f.complete(m.getCancelOutcome());
                    }
                }
                case RESERVED_SPACE -> {
                    CompletableFuture<io.sonde.proto.SpaceReserved> f =
                            reserveRequests.get(m.getReservedSpace().getRequestId());
                    if (f != null) {
                        f.complete(m.getReservedSpace());
                    }
                }
                case COLLECT_GARBAGE -> collectGarbage();
                case TASKS_ENDED -> tasksEnded(m.getTasksEnded().getCount());
                case BORROWED -> {
                    CompletableFuture<Void> f = borrowRequests.get(m.getBorrowed().getRequestId());
                    if (f != null && m.getBorrowed().getError().isEmpty()) {
                        f.complete(null);
                    } else if (f != null) {
                        f.completeExceptionally(new io.sonde.ActorDiedException(m.getBorrowed().getError()));
                    }
                }
                case NAMED_ACTOR -> {
                    CompletableFuture<NamedActorReply> f = namedActorRequests.get(m.getNamedActor().getRequestId());
                    if (f != null) {
                        f.complete(m.getNamedActor());
                    }
                }
                default -> {
                }
            }
        }

        /**
         * The connection broke without the node manager closing it: its process died (killed,
         * crashed, out of memory) or it cannot be reached any more. What this client waited for
         * will not come: it was on that node.
         */
        private void broke(Throwable t) {
            Registered r = info;
            String node = r == null ? "the Sonde node manager at " + endpoint
                    : "node " + r.getNodeId() + " (the Sonde node manager at " + endpoint + ", " + r.getNodeIp() + ")";
            String session = r == null || r.getSessionDir().isEmpty() ? "the session directory"
                    : r.getSessionDir();
            LibraryLogs.record("lost the connection to " + node, t);
            lose(new NodeDiedException(node + " died or became unreachable (" + t.getMessage() + "): this client"
                    + " lost its connection, and the tasks, actors and objects of that node with it. Check"
                    + " `sonde status`; the node manager's log is in " + session + "; start the cluster again"
                    + " (`sonde start --head`) and rerun the work.", transportCause(t)));
        }

        private void closed() {
            lose(new SondeException("the Sonde node manager at " + endpoint + " closed the connection; the cluster was"
                    + " stopped (`sonde stop`) or this client was shut down."));
        }
    }

    /**
     * The loss of the connection as the caller sees it: the same message, thrown from the caller's
     * own frames. The exception was made on a transport thread, whose frames (some fifty of gRPC and
     * Netty) say nothing to the user; they are in the driver's log in the session directory.
     */
    private static SondeException here(SondeException lost) {
        return lost instanceof NodeDiedException ? new NodeDiedException(lost.getMessage(), lost.getCause())
                : new SondeException(lost.getMessage(), lost.getCause());
    }

    /** The node's refusal of this client (no auth token, or not its), if that is what {@code t} came from. */
    private static Optional<io.grpc.Status> refusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof io.grpc.StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED) {
                return Optional.of(s.getStatus());
            }
        }
        return Optional.empty();
    }

    /**
     * A transport failure (logged whole before) as the cause a user sees: the messages of its
     * chain, innermost last, without the frames and class names of gRPC's and Netty's internals
     * (which name a shaded Netty class for a reset connection, and nothing the user can act on).
     */
    private static Throwable transportCause(Throwable t) {
        if (refusal(t).isPresent()) {
            // the node's own answer (no auth token, or not its): kept as it is, for the refusal's message
            for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
                c.setStackTrace(new StackTraceElement[0]);
            }
            return t;
        }
        StringBuilder m = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String message = c.getMessage();
            if (message == null || message.isBlank() || m.indexOf(message) >= 0) {
                continue;
            }
            m.append(m.length() == 0 ? "" : ", caused by: ").append(message);
        }
        java.io.IOException cause = new java.io.IOException(m.length() == 0 ? t.getClass().getSimpleName() : m.toString());
        cause.setStackTrace(new StackTraceElement[0]);
        return cause;
    }

    /** The session is over: every wait ends with {@code e}, and so does every later call. The first cause stays. */
    private void lose(SondeException e) {
        if (connectionLost == null) {
            connectionLost = e;
        }
        synchronized (room) {
            room.notifyAll(); // a submit waiting for room goes on, and fails for the lost connection
        }
        registered.completeExceptionally(e);
        objects.values().forEach(f -> f.completeExceptionally(e));
        namedActorRequests.values().forEach(f -> f.completeExceptionally(e));
        classRequests.values().forEach(f -> f.completeExceptionally(e));
        cancelRequests.values().forEach(f -> f.completeExceptionally(e));
        reserveRequests.values().forEach(f -> f.completeExceptionally(e));
        borrowRequests.values().forEach(f -> f.completeExceptionally(e));
    }
}
