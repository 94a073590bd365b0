package io.sonde.debugger.plugin;

import com.sun.jdi.connect.spi.Connection;
import io.sonde.debugger.WorkerAgent;
import io.sonde.debugger.jdwp.JdwpRouter;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.StopReason;
import io.sonde.debugger.proto.TunnelFrame;
import io.sonde.debugger.proto.WorkerEvent;
import io.sonde.spi.WorkerContext;
import io.sonde.spi.WorkerTask;

import java.lang.invoke.SerializedLambda;
import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
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
 *   task thread: stop ─▶ hit ─▶ park ... resume ─▶ resumed
 *   node:                lists it, tells the driver   unlists it
 * </pre>
 *
 * <h2>The worker's JDWP connection</h2>
 * As it starts, the worker connects to its own JDWP agent ({@link #start}) and keeps that one
 * connection until it exits: the agent serves one connection and listens no more, so no other
 * process can attach. A {@link JdwpRouter} shares it: the {@link WorkerAgent} is one client, and
 * each debugger that attaches through the node's tunnel ({@link #tunnel}) another, whose packets
 * travel as plug-in messages. Should the connection end while the worker runs (the agent would
 * listen again), the worker exits.
 */
final class WorkerDebugger {
    private static volatile WorkerDebugger current;

    private final WorkerContext context;
    private final JdwpRouter router;
    private final WorkerAgent agent;
    /** The debuggers attached through the node; while one is, the agent's hooks do not stop the task. */
    private final JdwpTunnels tunnels;
    private volatile boolean closing;
    private final ExecutorService agentThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sonde-debug-agent");
        t.setDaemon(true);
        return t;
    });
    private volatile CompletableFuture<?> hooksApplied = CompletableFuture.completedFuture(null);
    private volatile DebugHooks lastHooks = DebugHooks.getDefaultInstance();

    private WorkerDebugger(WorkerContext context, JdwpRouter router) {
        this.context = context;
        this.router = router;
        this.agent = new WorkerAgent(router);
        this.tunnels = new JdwpTunnels(router, this::send, "worker", agent::debuggerAttached, agent::debuggerLeft);
        BreakpointPark.load();
        DebugMarks.load();
        ExpressionHost.load();
        current = this;
    }

    /**
     * Takes this worker's JDWP connection: connects to the agent on its loopback port (read from
     * the VM's agent properties, never reported) and keeps it. Throws if it cannot: another process
     * connected first, and the worker must not run tasks that process could control.
     */
    static WorkerDebugger start(WorkerContext context) throws IOException {
        int port = ownJdwpPort();
        JdwpRouter router;
        try {
            // named, not addressed: the port stays out of thread names and messages
            router = JdwpRouter.attach(port, Duration.ofSeconds(10), "this worker's JDWP agent");
        } catch (IOException e) {
            throw new IOException(String.valueOf(e.getMessage()).replaceAll("127\\.0\\.0\\.1:\\d+", "its loopback port"), e);
        }
        WorkerDebugger d = new WorkerDebugger(context, router);
        context.clientPlugin(DebugClientPlugin.class).ifPresent(c -> c.worker(d));
        d.guard();
        d.send(WorkerEvent.newBuilder().setJdwpHeld(true).build());
        return d;
    }

    /** The port the agent listens on, from the agent properties that the worker's launch exports. */
    private static int ownJdwpPort() throws IOException {
        String address;
        try {
            Properties p = (Properties) Class.forName("jdk.internal.vm.VMSupport").getMethod("getAgentProperties").invoke(null);
            address = p.getProperty("sun.jdwp.listenerAddress");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("the worker cannot read its JDWP address (it needs"
                    + " --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED): " + e.getClass().getSimpleName());
        }
        if (address == null || address.isBlank()) {
            throw new IOException("the JDWP agent listens on no port: a debugger is connected to it already");
        }
        try {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1).trim());
        } catch (NumberFormatException e) {
            throw new IOException("the JDWP agent's address cannot be read");
        }
    }

    /**
     * A client of the router that only waits for the end of the VM's connection: if it ends while
     * the worker runs (the agent would listen for anyone again), the worker exits at once. The end
     * that comes with the JVM's own exit (the agent's VM_DEATH, or a shutdown under way) is not one.
     */
    private void guard() throws IOException {
        Connection watch = router.connect("worker-guard");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closing = true, "sonde-jdwp-guard-exit"));
        Thread t = new Thread(() -> {
            String why = "its connection ended";
            try {
                byte[] p;
                while ((p = watch.readPacket()).length > 0) {
                    if (isVmDeath(p)) {
                        return; // the JVM is exiting: the agent closes the connection next
                    }
                }
            } catch (IOException e) {
                why = String.valueOf(e.getMessage());
            }
            if (!closing) {
                System.err.println("sonde worker: lost this worker's own JDWP connection (" + why + "); the worker"
                        + " exits rather than leave its debug agent open to other processes");
                System.err.flush();
                Runtime.getRuntime().halt(3);
            }
        }, "sonde-jdwp-guard");
        t.setDaemon(true);
        t.start();
    }

    /** Whether a JDWP packet is an Event.Composite whose first event is VM_DEATH (the agent sends it alone). */
    private static boolean isVmDeath(byte[] p) {
        // header (11 bytes: length, id, flags, command set 64, command 100), suspend policy, count, kind
        return p.length > 16 && (p[8] & 0x80) == 0 && p[9] == 64 && p[10] == 100 && p[16] == 99;
    }

    /** The worker's debugger, for {@link BreakpointPark#hit}, which the agent calls by name; or null. */
    static WorkerDebugger current() {
        return current;
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
        closing = true;
        tunnels.closeAll();
        try {
            agent.close();
        } catch (RuntimeException ignored) {
            // exiting
        }
        agentThread.shutdownNow();
        // not the router: the worker's connection stays until the process ends
    }

    // ------------------------------------------------------------------ tunnels

    /** A frame of a tunnel from the node. On the transport thread: must not block. */
    void tunnel(TunnelFrame f) {
        tunnels.frame(f);
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
        BreakpointInfo.Builder info = where(userFrame()).setReason(reason);
        if (reason != StopReason.LINE) {
            info.setException(detail);
        }
        try {
            stop(info);
        } catch (io.sonde.TaskCancelledException cancelled) {
            // This call was made by the worker's own JDI client, which only reports what it throws:
            // keep the cancel as the thread's interrupt, where the task's code and the executor see it.
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
        BreakpointPark.listParked(Thread.currentThread(), true);
        try {
            send(WorkerEvent.newBuilder().setHit(info).build());
            BreakpointPark.park();
        } finally {
            BreakpointPark.listParked(Thread.currentThread(), false);
            send(WorkerEvent.newBuilder().setResumedTaskId(task.taskId()).build());
        }
    }

    static BreakpointInfo.Builder where(Optional<StackWalker.StackFrame> frame) {
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
