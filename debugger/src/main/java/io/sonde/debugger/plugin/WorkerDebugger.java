package io.sonde.internal.worker;

import io.sonde.internal.client.CoreClient;
import io.sonde.internal.proto.BreakpointInfo;
import io.sonde.internal.proto.DebugHooks;
import io.sonde.internal.proto.TaskSpec;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Every way a task of this worker stops for the debugger, and the worker's own debug agent:
 * <ul>
 *   <li>{@code Sonde.breakpoint()} in the task's code;</li>
 *   <li>a hook set from the debugger ({@code break}, {@code catch}) or an unhandled exception in
 *       post-mortem mode, where the {@link DebugAgent} calls {@link BreakpointPark#hit} on the
 *       stopped thread;</li>
 *   <li>{@code remote}: a task submitted under it stops before its function runs;</li>
 *   <li>{@code get}: the caller stops once the result marked by {@code get} reaches it.</li>
 * </ul>
 * Each registers an active breakpoint with the node (the driver prints the notice), parks the
 * task's thread in {@link BreakpointPark#park()} until a debugger lets it go, and unregisters.
 */
final class WorkerDebugger {
    private static volatile WorkerDebugger current;

    private final TaskExecutor executor;
    private final CoreClient client;
    private final boolean enabled = !"off".equals(System.getProperty("sonde.debugger"));
    private final DebugAgent agent;
    private final ExecutorService agentThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sonde-debug-agent");
        t.setDaemon(true);
        return t;
    });
    private volatile CompletableFuture<?> hooksApplied = CompletableFuture.completedFuture(null);
    private boolean warnedNoAgent;
    private volatile DebugHooks lastHooks = DebugHooks.getDefaultInstance();

    WorkerDebugger(TaskExecutor executor, CoreClient client) {
        this.executor = executor;
        this.client = client;
        this.agent = enabled ? loadAgent() : null;
        BreakpointPark.load();
        current = this;
    }

    static WorkerDebugger current() {
        return current;
    }

    private static DebugAgent loadAgent() {
        try {
            return ServiceLoader.load(DebugAgent.class, WorkerDebugger.class.getClassLoader()).findFirst().orElse(null);
        } catch (java.util.ServiceConfigurationError e) {
            System.err.println("sonde: the debugger's worker agent could not be loaded (" + e.getMessage()
                    + "); breakpoints set from `sonde debug` will not stop tasks in this worker");
            return null;
        }
    }

    // ------------------------------------------------------------------ hooks

    /** The breakpoints set from the debugger, whole; applied before the next task starts. */
    void hooks(DebugHooks hooks) {
        lastHooks = hooks;
        boolean any = !DebugAgent.isEmpty(hooks);
        if (agent == null) {
            if (any && !warnedNoAgent) {
                warnedNoAgent = true;
                System.err.println(enabled
                        ? "sonde: `break`, `catch` and post-mortem need the sonde-debugger module on the job's classpath;"
                        + " this worker ignores them (run the program with `sonde run`, or add sonde-debugger)"
                        : "sonde: `break`, `catch` and post-mortem are ignored: the debugger is off for this cluster"
                        + " (sonde.debugger=off)");
            }
            return;
        }
        hooksApplied = CompletableFuture.runAsync(() -> {
            try {
                agent.apply(hooks);
            } catch (RuntimeException e) {
                System.err.println("sonde: could not apply the debugger's breakpoints in this worker: " + e);
            }
        }, agentThread);
    }

    /** A new task thread took over (see {@link TaskExecutor#retireTaskThread()}): the hooks apply to it. */
    void taskThreadReplaced() {
        hooks(lastHooks);
    }

    /** Before each task: the hooks received before it are in force. */
    void awaitHooks() {
        try {
            hooksApplied.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // reported by hooks(); the task runs without them
        }
    }

    void close() {
        if (agent != null) {
            try {
                agent.close();
            } catch (RuntimeException ignored) {
                // exiting
            }
        }
        agentThread.shutdownNow();
    }

    // ------------------------------------------------------------------ stops

    /** {@code Sonde.breakpoint()}: the frame that called it is the one the user wants to see. */
    void breakpoint() {
        Optional<StackWalker.StackFrame> caller = StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> !(f.getClassName().equals("io.sonde.Sonde") && f.getMethodName().equals("breakpoint")))
                .skip(1)
                .findFirst());
        stop(where(caller).setReason("breakpoint"));
    }

    /** A hook's hit or a throw, on the thread the agent stopped: the first user frame is where it stopped. */
    void stopHere(String reason, String detail) {
        executor.retireTaskThread();
        BreakpointInfo.Builder info = where(userFrame()).setReason(reason);
        if (!reason.equals("line")) {
            info.setException(detail);
        }
        try {
            stop(info);
        } catch (io.sonde.TaskCancelledException cancelled) {
            // This call was made by the debug agent over JDWP, which drops what it throws: keep the
            // cancel as the thread's interrupt, where the task's code and the executor see it.
            Thread.currentThread().interrupt();
        }
    }

    /** {@code get}: the result of {@code awaitedTaskId} reached this task's {@code get}. */
    void stopAfterGet(String awaitedTaskId) {
        stop(where(userFrame()).setReason("get").setAwaitedTaskId(awaitedTaskId));
    }

    /** {@code remote}: the task was submitted under the debugger's {@code remote}; stop before its function runs. */
    void stopAtStart(TaskSpec spec, Object function) {
        BreakpointInfo.Builder info = BreakpointInfo.newBuilder().setReason("remote");
        entry(function).ifPresent(m -> {
            String top = m[0].contains("$") ? m[0].substring(0, m[0].indexOf('$')) : m[0];
            info.setEntryClass(m[0]).setEntryMethod(m[1]).setClassName(m[0]).setMethod(m[1])
                    .setFile(top.substring(top.lastIndexOf('.') + 1) + ".java");
        });
        stop(info);
    }

    private void stop(BreakpointInfo.Builder info) {
        TaskSpec spec = executor.currentSpec();
        if (spec == null || !executor.isTaskThread()) {
            return; // not on a task's thread: there is no task to park
        }
        info.setTaskId(spec.getTaskId()).setTaskName(spec.getName()).setActorId(spec.getActorId())
                .setParentTaskId(spec.getParentTaskId()).setThreadName(Thread.currentThread().getName());
        if (!enabled) {
            // No debugger can attach to this worker: parking would only hang the task.
            System.err.println(info.getReason() + " at " + info.getFile() + ":" + info.getLine()
                    + " ignored: the debugger is off for this cluster (sonde.debugger=off)");
            return;
        }
        if (agent != null) {
            agent.release();
        }
        boolean debuggerLeft = true;
        client.breakpointHit(info.build());
        try {
            debuggerLeft = BreakpointPark.park();
        } finally {
            client.breakpointResumed(spec.getTaskId());
            if (agent != null) {
                agent.rearm(debuggerLeft);
            }
        }
    }

    private static BreakpointInfo.Builder where(Optional<StackWalker.StackFrame> frame) {
        BreakpointInfo.Builder info = BreakpointInfo.newBuilder();
        frame.ifPresent(f -> info.setFile(f.getFileName() == null ? f.getClassName() : f.getFileName())
                .setLine(f.getLineNumber()).setClassName(f.getClassName()).setMethod(f.getMethodName()));
        return info;
    }

    private static Optional<StackWalker.StackFrame> userFrame() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> FrameFilter.isUserClass(f.getClassName()))
                .findFirst());
    }

    /**
     * The class and method that hold the body of a task's function: a lambda's or method
     * reference's implementation method, or {@code apply} of a class that implements the function.
     */
    static Optional<String[]> entry(Object function) {
        if (function == null) {
            return Optional.empty();
        }
        try {
            Method replace = function.getClass().getDeclaredMethod("writeReplace");
            replace.setAccessible(true);
            if (replace.invoke(function) instanceof SerializedLambda l) {
                return Optional.of(new String[] {l.getImplClass().replace('/', '.'), l.getImplMethodName()});
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a serializable lambda
        }
        if (function.getClass().isSynthetic() || function.getClass().isHidden()) {
            return Optional.empty();
        }
        return Optional.of(new String[] {function.getClass().getName(), "apply"});
    }
}
