package io.sonde.debugger.plugin;

import io.sonde.debugger.WorkerAgent;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.StopReason;
import io.sonde.debugger.proto.WorkerEvent;
import io.sonde.spi.WorkerContext;
import io.sonde.spi.WorkerTask;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Every way a task of this worker stops for the debugger, and the worker's own debug agent:
 * <ul>
 *   <li>{@code Sonde.breakpoint()} in the task's code;</li>
 *   <li>a hook set from the debugger ({@code break}, {@code catch}) or an unhandled exception in
 *       post-mortem mode, where the {@link WorkerAgent} calls {@link BreakpointPark#hit} on the
 *       stopped thread;</li>
 *   <li>{@code remote}: a task submitted under it stops before its function runs;</li>
 *   <li>{@code get}: the caller stops once the result marked by {@code get} reaches it.</li>
 * </ul>
 * Each reports the stop to the node (which lists it, and the driver prints the notice), parks the
 * task's thread in {@link BreakpointPark#park()} until a debugger lets it go, and reports that it
 * went on.
 *
 * <pre>
 *   task thread: stop ─▶ agent.release ─▶ hit(port) ─▶ park ... resume ─▶ resumed ─▶ agent.rearm
 *   node:                                  lists it, tells the driver        unlists it
 * </pre>
 */
final class WorkerDebugger {
    private static volatile WorkerDebugger current;

    private final WorkerContext context;
    private final WorkerAgent agent = new WorkerAgent();
    private final JdwpPorts ports;
    private final ExecutorService agentThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sonde-debug-agent");
        t.setDaemon(true);
        return t;
    });
    private volatile CompletableFuture<?> hooksApplied = CompletableFuture.completedFuture(null);
    private volatile DebugHooks lastHooks = DebugHooks.getDefaultInstance();

    WorkerDebugger(WorkerContext context) {
        this.context = context;
        this.ports = new JdwpPorts(port -> send(WorkerEvent.newBuilder().setJdwpPort(port).build()));
        BreakpointPark.load();
        DebugMarks.load();
        current = this;
    }

    /** The worker's debugger, for {@link BreakpointPark#hit}, which the agent calls by name; or null. */
    static WorkerDebugger current() {
        return current;
    }

    /** Reports the JDWP agent's port now, and again each time it changes. */
    void start() {
        ports.start();
    }

    private void send(WorkerEvent e) {
        context.sendToNode(e.toByteString());
    }

    // ------------------------------------------------------------------ hooks

    /** The breakpoints set from the debugger, whole; applied before the next task starts. Must not block. */
    void hooks(DebugHooks hooks) {
        lastHooks = hooks;
        hooksApplied = CompletableFuture.runAsync(() -> {
            try {
                agent.apply(hooks);
            } catch (RuntimeException e) {
                System.err.println("sonde: could not apply the debugger's breakpoints in this worker: " + e);
            }
        }, agentThread);
    }

    /** A new task thread took over (see {@link WorkerContext#retireTaskThread()}): the hooks apply to it. */
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
        ports.close();
        try {
            agent.close();
        } catch (RuntimeException ignored) {
            // exiting
        }
        agentThread.shutdownNow();
    }

    // ------------------------------------------------------------------ stops

    /** {@code Sonde.breakpoint()}: the frame that called it is the one the user wants to see. */
    void breakpoint() {
        stop(where(breakpointCaller()).setReason(StopReason.BREAKPOINT));
    }

    /** The frame that called {@code Sonde.breakpoint()}, if this thread is in such a call. */
    static Optional<StackWalker.StackFrame> breakpointCaller() {
        return StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> !(f.getClassName().equals("io.sonde.Sonde") && f.getMethodName().equals("breakpoint")))
                .skip(1)
                .findFirst());
    }

    /** A hook's hit or a throw, on the thread the agent stopped: the first user frame is where it stopped. */
    void stopHere(StopReason reason, String detail) {
        context.retireTaskThread();
        BreakpointInfo.Builder info = where(userFrame()).setReason(reason);
        if (reason != StopReason.LINE) {
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
        stop(where(userFrame()).setReason(StopReason.GET).setAwaitedTaskId(awaitedTaskId));
    }

    /** {@code remote}: the task was submitted under the debugger's {@code remote}; stop before its function runs. */
    void stopAtStart(WorkerTask task) {
        BreakpointInfo.Builder info = BreakpointInfo.newBuilder().setReason(StopReason.REMOTE);
        entry(task.function()).ifPresent(m -> {
            String top = m[0].contains("$") ? m[0].substring(0, m[0].indexOf('$')) : m[0];
            info.setEntryClass(m[0]).setEntryMethod(m[1]).setClassName(m[0]).setMethod(m[1])
                    .setFile(top.substring(top.lastIndexOf('.') + 1) + ".java");
        });
        stop(info);
    }

    private void stop(BreakpointInfo.Builder info) {
        Optional<WorkerTask> running = context.currentTask();
        if (running.isEmpty() || !context.isTaskThread()) {
            return; // not on a task's thread: there is no task to park
        }
        WorkerTask task = running.get();
        info.setTaskId(task.taskId()).setTaskName(task.name()).setActorId(task.actorId())
                .setParentTaskId(task.parentTaskId()).setThreadName(Thread.currentThread().getName());
        agent.release();
        // the agent listens again once the worker's own connection is gone: list that port
        info.setDebugPort(ports.listening());
        boolean debuggerLeft = true;
        send(WorkerEvent.newBuilder().setHit(info).build());
        ports.parked(true);
        try {
            debuggerLeft = BreakpointPark.park();
        } finally {
            ports.parked(false);
            send(WorkerEvent.newBuilder().setResumedTaskId(task.taskId()).build());
            agent.rearm(debuggerLeft);
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
