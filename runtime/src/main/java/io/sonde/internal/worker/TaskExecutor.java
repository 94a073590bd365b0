package io.sonde.internal.worker;

import io.grpc.stub.StreamObserver;
import io.sonde.RuntimeContext;
import io.sonde.TaskException;
import io.sonde.function.FunctionInvoker;
import io.sonde.internal.client.CoreClient;
import io.sonde.internal.client.SerializedObserver;
import io.sonde.proto.Arg;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.PluginEntry;
import io.sonde.proto.PluginMessage;
import io.sonde.proto.TaskDone;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;
import io.sonde.proto.TaskTaken;
import io.sonde.proto.TasksReturned;
import io.sonde.proto.WorkerCommand;
import io.sonde.proto.WorkerHello;
import io.sonde.proto.WorkerMessage;
import io.sonde.internal.serialization.RemoteExceptionCopy;
import io.sonde.internal.serialization.SerializationException;
import io.sonde.internal.serialization.Serializer;
import io.sonde.spi.WorkerContext;
import io.sonde.spi.WorkerTask;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs the tasks the node manager sends to this worker, one at a time and in arrival order, on
 * one thread ("sonde-task"); an actor's instance lives here between its calls. An actor created
 * with {@code maxConcurrency(n)}, n > 1, runs its calls on a pool of n threads ("sonde-task-1" to
 * "sonde-task-n") instead: the task thread hands them out in arrival order, at most n running,
 * and runs a {@code terminate()} itself once every call before it has finished.
 *
 * <p>Before each task whose name differs from the last one, a marker line
 * {@code :task_name:NAME} goes to stdout and stderr, so the node's log pump knows which task
 * printed the lines that follow (a concurrent actor's calls share one marker, the actor's, so
 * their lines interleave under the actor's prefix). An exception thrown by the user's code becomes a
 * {@link TaskException} whose message says where it ran and whose cause is the user's exception;
 * when it is an Error that leaves the JVM in doubt ({@link JvmInDoubt}), the result says so and
 * the node retires this worker. The last result sent and the running task are kept for the
 * {@link ExitWitness}, which tells the node why the JVM went if it goes.
 *
 * <p>A result this worker sent is never lost with its process, even while the node is slow to
 * read it: each result goes into the {@link ResultJournal} before it is sent, and the node takes
 * from there, once the process has exited, the ones it never received. So the next task starts
 * at once, and the task that was running when the process died is the oldest the node has no
 * result of (for a concurrent actor, the calls that were running are among the n oldest: results
 * go to the journal and out one at a time, and a call is handed to the pool only once the node has
 * every result not journaled). The node's receipt ({@code TaskTaken}) frees the journal: when it is full, or a
 * result is too large for it (or there is no journal), the next task starts only once the node
 * has every result sent. A receipt is asked for ({@code TaskDone.wants_receipt}) only where it may
 * be waited for: a result not journaled, or one appended to a journal past half full. Most
 * results ask for none, which spares the node a message and the worker a wake-up per task.
 */
final class TaskExecutor {
    private static final String MARKER = io.sonde.internal.logs.LogLine.TASK_MARKER;
    private static final String TASK_THREAD = WorkerContext.TASK_THREAD;
    private static final int FUNCTION_CACHE_SIZE = 256;

    private final String workerId;
    private final String nodeId;
    private final String nodeIp;
    private final long pid = ProcessHandle.current().pid();
    /** The task thread's queue: tasks run one at a time, in arrival order. */
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    /** A task the node sent, in {@link #queue}: the node may take a normal one back until it starts. */
    private final class Queued implements Runnable {
        final TaskSpec spec;

        Queued(TaskSpec spec) {
            this.spec = spec;
        }

        @Override
        public void run() {
            dispatch(spec);
        }
    }
    /**
     * Guards what goes into {@link #queue} against {@link #waiting} and {@link #retiring}, so that
     * no normal task is queued behind a waiting one; nothing else is done while holding it.
     */
    private final Object queued = new Object();
    /** Tasks of this worker waiting in get, wait or at a breakpoint now. */
    private int waiting;
    /** The last task left the JVM in doubt: it runs no more tasks. */
    private boolean retiring;
    private static final int CANCELLED_REMEMBERED = 256;
    /** Cancels of tasks that were neither running nor queued when they came (guarded by this): they must not start. */
    private final java.util.LinkedHashSet<String> cancelledBeforeStart = new java.util.LinkedHashSet<>();
    /** Set when a plug-in asked for a new task thread: see {@link #retireTaskThread()}. */
    private volatile boolean retireThread;
    private final CountDownLatch finished = new CountDownLatch(1);
    /** The concurrent actor's pool (see {@code ActorCreator.maxConcurrency}); null: calls run on the task thread. */
    private volatile java.util.concurrent.ExecutorService pool;
    private int maxConcurrency = 1;
    /** Guards {@link #active} and, for a concurrent actor, {@link #actorEnded}; nothing else is done while holding it. */
    private final Object slots = new Object();
    /** The concurrent actor's calls handed to the pool whose results are not sent yet. */
    private int active;
    /** Held while a result is journaled and sent, so results go in the journal's order. */
    private final Object sending = new Object();
    /** Where results go before they are sent; null: each result waits for its receipt. */
    private ResultJournal journal;
    /** Guards {@link #unreceived} and {@link #drainFirst}; nothing else is done while holding it. */
    private final Object receipts = new Object();
    /** Results sent that asked for a receipt ({@code TaskTaken}) that has not come. */
    private int unreceived;
    /** The last result sent is not in the journal: the next task waits until the node has it. */
    private boolean drainFirst;
    private final Map<String, Object> functions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > FUNCTION_CACHE_SIZE;
        }
    };
    private StreamObserver<WorkerMessage> up;
    /** A task that runs, on its thread. */
    private static final class Running {
        final TaskSpec spec;
        volatile WorkerTask task;
        /** Set by {@code Sonde.exitActor()} in the running actor method: why the actor ends after it. */
        volatile String exitRequested;

        Running(TaskSpec spec) {
            this.spec = spec;
        }
    }
    /** The tasks running now, by their thread: one, or up to maxConcurrency calls of a concurrent actor. */
    private final Map<Thread, Running> running = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile TaskSpec lastActorSpec;
    private volatile Object actor;
    /** The actor's prefix in relayed prints: its own toString() when its class has one (as Ray uses __repr__), else null. */
    private String actorLabel;
    /** How many times this worker's actor restarted before this start. */
    private volatile int actorRestarts;
    /** The actor ended on purpose: its later calls are not run (the node fails them). */
    private volatile boolean actorEnded;
    private String lastMarker = "";
    private ClassLoader jobLoader = ClassLoader.getSystemClassLoader();
    private WorkerPlugins plugins = new WorkerPlugins(List.of());
    /** Plug-in messages sent before the hello; guarded by itself, null once the hello went. */
    private List<WorkerMessage> beforeHello = new ArrayList<>();
    /** The last result sent to the node: "TASK_ID ATTEMPT BYTES", for the report of a broken stream. */
    private volatile String lastResultText = "";
    private ExitWitness witness;

    TaskExecutor(String workerId, String nodeId, String nodeIp) {
        this.workerId = workerId;
        this.nodeId = nodeId;
        this.nodeIp = nodeIp;
    }

    /** The loader of the job's classes; set before {@link #serve}. */
    void jobLoader(ClassLoader loader) {
        this.jobLoader = loader;
    }

    /** Where results are kept until the node has them; set before {@link #serve}, or never (then each result is waited for). */
    void journal(ResultJournal journal) {
        this.journal = journal;
    }

    /** Reports, before the JVM goes, why it goes; set before {@link #serve}. */
    void witness(ExitWitness witness) {
        this.witness = witness;
    }

    /** Serves until the node manager ends the stream. */
    void serve(NodeManagerGrpc.NodeManagerStub stub) throws InterruptedException {
        up = new SerializedObserver<>(stub.attach(new StreamObserver<>() {
            @Override
            public void onNext(WorkerCommand c) {
                switch (c.getBodyCase()) {
                    case EXECUTE -> arrived(c.getExecute());
                    case GIVE_BACK -> giveBackAsked(c.getGiveBack());
                    case TAKEN -> taken();
                    case INTERRUPT -> interrupt(c.getInterrupt().getTaskId());
                    case PLUGIN -> plugins.command(c.getPlugin());
                    // an actor that ends on purpose has closed before it sent the result that asks for this
                    case EXIT -> finished.countDown();
                    default -> {
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // The worker exits (code 0) now: say why, so its task's failure can tell.
                if (witness != null) {
                    witness.connectionLost(describe(io.grpc.Status.fromThrowable(t)), lastResultText);
                }
                finished.countDown();
            }

            @Override
            public void onCompleted() {
                finished.countDown();
            }
        }));
        // The task thread exists from the start, so plug-ins can name it in their requests.
        startTaskThread(null);
        up.onNext(WorkerMessage.newBuilder().setHello(WorkerHello.newBuilder()
                .setWorkerId(workerId).setPid(pid)).build());
        synchronized (this) {
            // the node reads a worker's messages only after its hello
            beforeHello.forEach(up::onNext);
            beforeHello = null;
        }
        finished.await();
    }

    private void startTaskThread(Thread previous) {
        new Thread(() -> taskLoop(previous), TASK_THREAD).start();
    }

    private void taskLoop(Thread previous) {
        if (previous != null) {
            try {
                previous.join();
            } catch (InterruptedException e) {
                Thread.interrupted();
            }
            plugins.taskThreadReplaced();
        }
        while (true) {
            Runnable next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                continue; // a cancel that came after its task ended
            }
            next.run();
            if (retireThread) {
                retireThread = false;
                startTaskThread(Thread.currentThread());
                return;
            }
        }
    }

    /** After the running task ends, go on with a new task thread: see {@link WorkerContext#retireTaskThread()}. */
    void retireTaskThread() {
        retireThread = true;
    }

    /**
     * A cancel: interrupts the task where it runs; a normal task still queued here leaves the
     * queue and goes back to the node unrun; one not seen yet (it left the queue and is about to
     * start) is remembered, so that it does not start.
     */
    private void interrupt(String taskId) {
        boolean found = false;
        synchronized (this) {
            for (Map.Entry<Thread, Running> e : running.entrySet()) {
                if (e.getValue().spec.getTaskId().equals(taskId)) {
                    e.getKey().interrupt();
                    found = true;
                }
            }
            if (!found) {
                cancelledBeforeStart.add(taskId);
                if (cancelledBeforeStart.size() > CANCELLED_REMEMBERED) {
                    cancelledBeforeStart.remove(cancelledBeforeStart.iterator().next());
                }
            }
        }
        if (!found) {
            // an actor call stays queued: its actor answers every call, in order
            giveBack(takeQueued(spec -> spec.getTaskId().equals(taskId)), TasksReturned.Reason.CANCELLED);
        }
    }

    /** The node moves queued tasks to an idle worker: those not started yet go back; one started meanwhile runs here. */
    private void giveBackAsked(io.sonde.proto.GiveBack asked) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        asked.getTasksList().forEach(t -> ids.add(t.getTaskId()));
        giveBack(takeQueued(spec -> ids.contains(spec.getTaskId())), TasksReturned.Reason.ASKED);
    }

    /** A task the node sent: queued for the task thread, or, when this worker gives tasks back now, returned at once. */
    private void arrived(TaskSpec spec) {
        synchronized (queued) {
            if (spec.getKind() != TaskKind.NORMAL || (waiting == 0 && !retiring)) {
                queue.add(new Queued(spec));
                return;
            }
        }
        giveBack(List.of(spec), retiring ? TasksReturned.Reason.RETIRING : TasksReturned.Reason.BLOCKED);
    }

    /**
     * A task of this worker waits (in get or wait, or at a breakpoint: {@code waits}) or goes on.
     * While one waits, the normal tasks queued behind it go back to the node, which runs them on
     * other workers (one of them may be what it waits for), and those sent meanwhile too.
     */
    void taskWaits(boolean waits) {
        synchronized (queued) {
            waiting += waits ? 1 : -1;
        }
        if (waits) {
            // after the count: what arrives from now on comes back at once (see arrived)
            giveBack(takeQueued(spec -> true), TasksReturned.Reason.BLOCKED);
        }
    }

    /** The JVM is in doubt after the last task: it runs nothing more, and gives back what it has queued. */
    private void retire() {
        synchronized (queued) {
            retiring = true;
        }
        giveBack(takeQueued(spec -> true), TasksReturned.Reason.RETIRING);
    }

    /** The queued normal tasks {@code which} picks, out of the queue, in their order. */
    private List<TaskSpec> takeQueued(java.util.function.Predicate<TaskSpec> which) {
        List<TaskSpec> taken = new ArrayList<>();
        synchronized (queued) {
            queue.removeIf(r -> r instanceof Queued q && q.spec.getKind() == TaskKind.NORMAL && which.test(q.spec)
                    && taken.add(q.spec));
        }
        return taken;
    }

    private void giveBack(List<TaskSpec> specs, TasksReturned.Reason reason) {
        if (specs.isEmpty() && reason != TasksReturned.Reason.ASKED) { // the node's ask is always answered
            return;
        }
        TasksReturned.Builder r = TasksReturned.newBuilder().setReason(reason);
        for (TaskSpec t : specs) {
            r.addTasks(TaskTaken.newBuilder().setTaskId(t.getTaskId()).setAttempt(t.getAttempt()));
        }
        up.onNext(WorkerMessage.newBuilder().setReturned(r).build());
    }

    /** The calling thread's task, else (a thread the task started) the task running, or one of them. */
    private TaskSpec current() {
        Running r = running.get(Thread.currentThread());
        if (r == null) {
            r = running.values().stream().findFirst().orElse(null);
        }
        return r == null ? null : r.spec;
    }

    String currentTaskId() {
        TaskSpec t = current();
        return t == null ? "" : t.getTaskId();
    }

    /** "UNAVAILABLE: io exception (Connection reset by peer)": a broken stream's status in a few words. */
    private static String describe(io.grpc.Status status) {
        StringBuilder b = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            b.append(": ").append(status.getDescription());
        }
        Throwable cause = status.getCause();
        if (cause != null && cause.getMessage() != null) {
            b.append(" (").append(cause.getMessage().replaceFirst("^.*failed with error\\(-?\\d+\\): ", "")).append(')');
        }
        return b.toString();
    }

    /** The running tasks as a failure names them, with their ids and attempts; "" when none runs. */
    String runningTask() {
        return running.values().stream().map(r -> r.spec)
                .map(t -> where(t) + " (task_id=" + t.getTaskId() + ", attempt " + t.getAttempt() + ")")
                .sorted().collect(java.util.stream.Collectors.joining(", "));
    }

    RuntimeContext context() {
        TaskSpec current = current();
        TaskSpec t = current != null ? current : lastActorSpec;
        if (t == null) {
            return new RuntimeContext("", "", nodeId, pid, 0, "");
        }
        return new RuntimeContext(t.getTaskId(), t.getActorId(), nodeId, pid, t.getAttempt(), t.getName(),
                !t.getActorId().isEmpty() && actorRestarts > 0);
    }

    /**
     * {@code Sonde.exitActor()} at {@code site}: the running actor method ends the actor once it
     * returns. Refused outside an actor method, with what to do instead.
     */
    void exitActor(String site) {
        Running r = running.get(Thread.currentThread());
        TaskSpec t = r == null ? null : r.spec;
        String at = site.isEmpty() ? "" : " at " + site;
        if (t == null) {
            throw new IllegalStateException("Sonde.exitActor() ends the actor whose method calls it, and was called"
                    + at + " outside a task's thread. Call it in the actor's method itself.");
        }
        switch (t.getKind()) {
            case ACTOR_METHOD -> r.exitRequested = "it exited on purpose: Sonde.exitActor() was called in "
                    + t.getName() + at;
            case ACTOR_CREATION -> throw new IllegalStateException("Sonde.exitActor() was called" + at + " in the"
                    + " constructor of actor " + t.getActorClass() + ", which has not started yet. Throw from the"
                    + " constructor to fail the creation, or call Sonde.exitActor() in a method.");
            default -> throw new IllegalStateException("Sonde.exitActor() ends the actor whose method calls it, and"
                    + " was called" + at + " in task " + t.getName() + ", which is not an actor. Return from the task"
                    + " instead.");
        }
    }

    /** The node has one more of the results that asked for a receipt, and all sent before it. On the transport's thread. */
    private void taken() {
        synchronized (receipts) {
            if (unreceived > 0 && --unreceived == 0) {
                receipts.notifyAll();
            }
        }
    }

    /**
     * Waits until the node has every result this worker sent, or its stream ended: the last result
     * sent asked for its receipt (see {@link ResultJournal}), so every receipt asked for is enough.
     * On the task thread.
     */
    private void awaitReceipts() {
        synchronized (receipts) {
            try {
                while (unreceived > 0 && finished.getCount() > 0) {
                    receipts.wait(100); // the node reads a result within milliseconds unless it is busy
                }
            } catch (InterruptedException e) {
                // a cancel of the task before, come late: the wait is over; the next task runs
                Thread.interrupted();
            }
            drainFirst = false;
        }
    }

    /**
     * Keeps the result in the journal before it is sent, making room once the node has taken all
     * the results in it; false when it is not journaled (too large, or no journal), and the next
     * task must wait for its receipt instead.
     */
    private boolean journal(TaskDone done) {
        ResultJournal j = journal;
        if (j == null || !ResultJournal.fits(done.getSerializedSize())) {
            return false;
        }
        byte[] entry = done.toByteArray();
        if (j.pastHalf()) {
            synchronized (receipts) {
                if (unreceived == 0) {
                    // every receipt asked for has come, the last result's among them (results
                    // appended past half ask): the node has all, so the journal starts over
                    // without waiting, and asking stops until it is half full again
                    j.reset();
                }
            }
        }
        if (!j.append(entry)) {
            awaitReceipts();
            synchronized (receipts) {
                if (unreceived > 0) {
                    return false; // the wait ended early (the node went, or an interrupt): keep what is there
                }
            }
            j.reset();
            j.append(entry);
        }
        return true;
    }

    private volatile CoreClient client;

    /**
     * On the task thread, in arrival order: runs the task, or hands a concurrent actor's call to
     * its pool once fewer than maxConcurrency of its calls run; a {@code terminate()} waits until
     * none runs, so it comes after every call before it.
     */
    private void dispatch(TaskSpec spec) {
        java.util.concurrent.ExecutorService p = pool;
        if (p == null || spec.getKind() != TaskKind.ACTOR_METHOD) {
            execute(spec, false);
            return;
        }
        synchronized (slots) {
            while (active >= (spec.getTerminate() ? 1 : maxConcurrency)) {
                try {
                    slots.wait();
                } catch (InterruptedException e) {
                    // a cancel that came after its task ended: this call still waits its turn
                }
            }
            if (actorEnded) {
                return; // the actor ended on purpose before it: the node fails the call with why
            }
            if (!spec.getTerminate()) {
                active++;
            }
        }
        if (spec.getTerminate()) {
            execute(spec, false);
        } else {
            // after the slot is taken: a result not journaled, sent by a call that ends from now
            // on, is one of the maxConcurrency calls the node takes as maybe running
            awaitDrain();
            p.execute(() -> execute(spec, true));
        }
    }

    /** When the last result sent is not journaled, waits until the node has it before a task starts. */
    private void awaitDrain() {
        boolean drain;
        synchronized (receipts) {
            drain = drainFirst;
        }
        if (drain) {
            awaitReceipts();
        }
    }

    /**
     * Runs one task and sends its result. {@code pooled}: a concurrent actor's call on its pool,
     * counted in {@link #active} until its result is sent.
     */
    private void execute(TaskSpec spec, boolean pooled) {
        if (!pooled) {
            awaitDrain();
        }
        if (actorEnded && spec.getKind() == TaskKind.ACTOR_METHOD) {
            if (pooled) {
                synchronized (slots) {
                    active--;
                    slots.notifyAll();
                }
            }
            return; // the actor ended on purpose before it: the node fails the call with why
        }
        Running me = new Running(spec);
        boolean cancelled;
        synchronized (this) {
            cancelled = spec.getKind() == TaskKind.NORMAL && cancelledBeforeStart.remove(spec.getTaskId());
            if (!cancelled) {
                running.put(Thread.currentThread(), me);
            }
        }
        if (cancelled) {
            giveBack(List.of(spec), TasksReturned.Reason.CANCELLED); // cancelled as it left the queue: it never starts
            return;
        }
        if (spec.getKind() != TaskKind.NORMAL) {
            lastActorSpec = spec;
        }
        mark(spec.getKind() == TaskKind.NORMAL ? spec.getName()
                : spec.getKind() == TaskKind.ACTOR_METHOD && actorLabel != null ? actorLabel : spec.getActorClass());
        ObjectValue result;
        List<String> exceptionClasses = List.of();
        String retireReason = "";
        ClassLoader loader = jobLoader;
        WorkerTask task = task(spec, null);
        Thread.currentThread().setContextClassLoader(loader);
        try {
            applyStatics(spec, loader);
            Object fn = spec.getTerminate() ? null : function(spec, loader);
            Object[] args = new Object[spec.getArgsCount()];
            for (int i = 0; i < args.length; i++) {
                Arg a = spec.getArgs(i);
                CoreClient c = client;
                args[i] = c == null ? Serializer.read(a.getValue(), loader) : c.read(a.getValue(), loader);
            }
            task = task(spec, fn);
            me.task = task;
            plugins.taskStarting(task);
            Object value;
            switch (spec.getKind()) {
                case ACTOR_CREATION -> {
                    actorRestarts = spec.getActorRestarts();
                    actor = FunctionInvoker.invoke(fn, args);
                    actorLabel = label(actor);
                    if (spec.getMaxConcurrency() > 1 && pool == null) {
                        startPool(spec.getMaxConcurrency());
                    }
                    value = null;
                }
                case ACTOR_METHOD -> value = spec.getTerminate() ? null : FunctionInvoker.invokeOn(fn, actor, args);
                default -> value = FunctionInvoker.invoke(fn, args);
            }
            result = returnValue(spec, value);
        } catch (Throwable e) {
            result = failure(spec, e);
            exceptionClasses = hierarchy(e);
            retireReason = JvmInDoubt.why(e).orElse("");
        }
        String actorExit = spec.getKind() != TaskKind.ACTOR_METHOD ? null
                : spec.getTerminate() && !spec.getTerminateReason().isEmpty() ? spec.getTerminateReason()
                : spec.getTerminate() ? "it was terminated on purpose by terminate()" + (spec.getCallSite().isEmpty() ? ""
                : " at " + spec.getCallSite()) + ", once the calls submitted before it had run"
                : me.exitRequested;
        if (actorExit != null && pooled) {
            // ends the actor once the calls running beside it have sent their results; when
            // another call ended it meanwhile, that one closes it
            synchronized (slots) {
                if (actorEnded) {
                    actorExit = null;
                } else {
                    actorEnded = true;
                    active--;
                    while (active > 0) {
                        try {
                            slots.wait();
                        } catch (InterruptedException e) {
                            Thread.interrupted(); // a late cancel: the actor still ends
                        }
                    }
                    active++;
                }
            }
        }
        if (actorExit != null) {
            actorEnded = true;
            closeActor();
        }
        Map<String, com.google.protobuf.ByteString> data = plugins.taskFinished(task);
        if (!data.isEmpty()) {
            ObjectValue.Builder b = result.toBuilder();
            data.forEach((plugin, payload) -> b.addPluginData(PluginEntry.newBuilder().setPlugin(plugin).setPayload(payload)));
            result = b.build();
        }
        synchronized (this) {
            running.remove(Thread.currentThread());
        }
        Thread.interrupted();
        System.out.flush();
        System.err.flush();
        try {
            send(spec, result, exceptionClasses, retireReason, actorExit);
            if (!retireReason.isEmpty()) {
                retire();
            }
        } finally {
            if (pooled) {
                synchronized (slots) {
                    active--;
                    slots.notifyAll();
                }
            }
        }
    }

    /** Journals the result and sends it, one result at a time. */
    private void send(TaskSpec spec, ObjectValue result, List<String> exceptionClasses, String retireReason,
                      String actorExit) {
        synchronized (sending) {
            sendInOrder(spec, result, exceptionClasses, retireReason, actorExit);
        }
    }

    private void sendInOrder(TaskSpec spec, ObjectValue result, List<String> exceptionClasses, String retireReason,
                             String actorExit) {
        lastResultText = spec.getTaskId() + " " + spec.getAttempt() + " " + result.getSerializedSize();
        TaskDone done = TaskDone.newBuilder().setTaskId(spec.getTaskId()).setAttempt(spec.getAttempt())
                .setResult(result).addAllExceptionClasses(exceptionClasses).setRetireReason(retireReason)
                .setActorExit(actorExit == null ? "" : actorExit)
                .setActorCloseable(spec.getKind() == TaskKind.ACTOR_CREATION && actor instanceof AutoCloseable).build();
        boolean journaled = journal(done);
        boolean wantsReceipt = !journaled || journal.pastHalf();
        if (wantsReceipt) {
            done = done.toBuilder().setWantsReceipt(true).build(); // the journal's copy needs no flag
        }
        synchronized (receipts) {
            if (wantsReceipt) {
                unreceived++;
            }
            drainFirst = !journaled;
        }
        up.onNext(WorkerMessage.newBuilder().setDone(done).build());
    }

    /**
     * The actor ends on purpose: its {@code close()}, when it has one, runs now, on the task
     * thread, while the call that ended it is still the current task (its prints carry its prefix).
     * A close that throws is reported on standard error; the actor ends all the same.
     */
    private void closeActor() {
        if (actor instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Throwable e) {
                System.err.println("actor " + actor.getClass().getSimpleName() + ": close() threw " + e
                        + "; the actor ends all the same");
                e.printStackTrace();
            }
        }
        actor = null;
    }

    /** Sets the driver-side static state the task reads (the shell's top-level variables). */
    private void applyStatics(TaskSpec spec, ClassLoader loader) throws ReflectiveOperationException {
        for (io.sonde.proto.StaticValue s : spec.getStaticsList()) {
            java.lang.reflect.Field f = Class.forName(s.getClassName(), true, loader).getDeclaredField(s.getField());
            f.setAccessible(true);
            f.set(null, decode(s.getValue().getData(), loader));
        }
    }

    private static WorkerTask task(TaskSpec spec, Object function) {
        return new WorkerTask(spec.getTaskId(), spec.getName(), spec.getActorId(), spec.getParentTaskId(), function,
                spec.getPluginDataMap());
    }

    /** The calling thread's task, else the task running now (one of them), as plug-ins see it. */
    Optional<WorkerTask> currentTask() {
        Running r = running.get(Thread.currentThread());
        if (r == null) {
            r = running.values().stream().findFirst().orElse(null);
        }
        return Optional.ofNullable(r == null ? null : r.task);
    }

    /** The task that runs on {@code thread} now, as plug-ins see it. */
    Optional<WorkerTask> taskOn(Thread thread) {
        Running r = running.get(thread);
        return Optional.ofNullable(r == null ? null : r.task);
    }

    /**
     * The concurrent actor's pool of n threads, named after the task thread so that what looks
     * for task threads by name (the profiler's labels) finds them.
     */
    private void startPool(int n) {
        maxConcurrency = n;
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        pool = java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, TASK_THREAD + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Sends a plug-in's message to the node, in order with task results; held until the hello went. */
    void sendPlugin(PluginMessage m) {
        WorkerMessage message = WorkerMessage.newBuilder().setPlugin(m).build();
        synchronized (this) {
            if (beforeHello != null) {
                beforeHello.add(message);
                return;
            }
        }
        up.onNext(message);
    }

    /** Whether the calling thread is a running task's. */
    boolean isTaskThread() {
        return running.containsKey(Thread.currentThread());
    }

    /** The worker's plug-ins; set before {@link #serve}. */
    void plugins(WorkerPlugins plugins) {
        this.plugins = plugins;
    }

    /** Longest actor label kept in a prefix. */
    private static final int LABEL_MAX = 80;

    /**
     * The actor's own {@code toString()}, taken once after its constructor, when its class
     * overrides Object's: on one line, at most {@value #LABEL_MAX} characters. Null when it does
     * not override it, or it throws or returns nothing (the class name is used then).
     */
    static String label(Object actor) {
        try {
            if (actor == null || actor.getClass().getMethod("toString").getDeclaringClass() == Object.class) {
                return null;
            }
            String s = String.valueOf(actor).replaceAll("\\s+", " ").strip();
            if (s.isEmpty()) {
                return null;
            }
            return s.length() <= LABEL_MAX ? s : s.substring(0, LABEL_MAX - 1) + "…";
        } catch (Throwable e) {
            return null;
        }
    }

    private synchronized void mark(String name) {
        if (!name.equals(lastMarker)) {
            lastMarker = name;
            System.out.println(MARKER + name);
            System.err.println(MARKER + name);
        }
    }

    private Object function(TaskSpec spec, ClassLoader loader) {
        String key = spec.getFunctionKey();
        if (key.isEmpty()) {
            return decode(spec.getFunction(), loader);
        }
        Object fn;
        synchronized (functions) {
            fn = functions.get(key);
        }
        if (fn == null) {
            fn = decode(spec.getFunction(), loader);
            synchronized (functions) {
                functions.put(key, fn);
            }
        }
        return fn;
    }

    /** Decodes what came with the task; the refs in it are this worker's, counted (see CoreClient#decoding). */
    private Object decode(com.google.protobuf.ByteString bytes, ClassLoader loader) {
        CoreClient c = client;
        return c == null ? Serializer.decode(bytes, loader) : c.decoding(() -> Serializer.decode(bytes, loader));
    }

    private ObjectValue returnValue(TaskSpec spec, Object value) {
        CoreClient c = client;
        try {
            return c == null ? Serializer.result(value, where(spec))
                    : Serializer.withProducer(c.store(resultName(spec), value), where(spec));
        } catch (SerializationException e) {
            return Serializer.error(new TaskException(where(spec) + " returned a value that cannot be sent back: "
                    + e.getMessage()));
        } catch (io.sonde.ObjectStoreFullException e) {
            return Serializer.error(new io.sonde.ObjectStoreFullException(where(spec) + " returned a value the object"
                    + " store cannot take: " + e.getMessage()));
        }
    }

    /**
     * The name of the result's file in the object store, when it goes there: each attempt writes
     * its own, so a stale attempt's result is freed without touching the one that counts.
     */
    private static String resultName(TaskSpec spec) {
        return spec.getAttempt() == 0 ? spec.getReturnId() : spec.getReturnId() + "-" + spec.getAttempt();
    }

    /** The worker's connection to its node, through which results go to the object store; set before {@link #serve}. */
    void client(CoreClient client) {
        this.client = client;
    }

    private ObjectValue failure(TaskSpec spec, Throwable e) {
        String where = where(spec);
        String message = where + " failed: " + e;
        try {
            return Serializer.taskFailure(where, new TaskException(message, e), e);
        } catch (SerializationException notSerializable) {
            return Serializer.taskFailure(where, new TaskException(message, new RemoteExceptionCopy(e)), e);
        }
    }

    /** "task square (pid=1234, node=10.0.0.1)" or "actor Counter.increment (pid=1234, actor=...)". */
    private String where(TaskSpec spec) {
        return switch (spec.getKind()) {
            case ACTOR_METHOD -> "actor " + spec.getName() + " (pid=" + pid + ", actor=" + spec.getActorId() + ")";
            case ACTOR_CREATION -> "actor " + spec.getActorClass() + " constructor (pid=" + pid + ", actor="
                    + spec.getActorId() + ")";
            default -> "task " + spec.getName() + " (pid=" + pid + ", node=" + nodeIp + ")";
        };
    }

    private static List<String> hierarchy(Throwable e) {
        List<String> names = new ArrayList<>();
        for (Class<?> c = e.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            names.add(c.getName());
        }
        return names;
    }

}
