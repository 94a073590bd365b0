package io.sonde.debugger.plugin;

import com.google.protobuf.ByteString;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.ClientCommand;
import io.sonde.debugger.proto.ResultMark;
import io.sonde.debugger.proto.TaskMark;
import io.sonde.spi.ClientContext;
import io.sonde.spi.ClientPlugin;
import io.sonde.tooling.DriverClient;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The debugger in a core client. In a driver: the breakpoint notices of the driver's tasks,
 * printed through the client's log relay unless a listener takes them (the shell does), and
 * {@code Sonde.breakpoint()} in the driver itself ({@link DriverDebugger}). In a
 * worker's client: the debugger's {@code remote} (the next task the parked task submits stops at
 * its start) and {@code get} (the task stops once the marked result reaches its get).
 */
public final class DebugClientPlugin implements ClientPlugin {
    private volatile ClientContext context;
    private volatile Consumer<BreakpointInfo> listener = this::printNotice;
    private volatile WorkerDebugger worker;
    /** In a driver whose JVM a debugger can attach to: its debugger; else null, and {@link #driverOff} says why. */
    private volatile DriverDebugger driver;
    private volatile String driverOff = "";
    /** Refs whose `get` stop has happened: a value read again does not stop again. */
    private final Set<String> getStops = ConcurrentHashMap.newKeySet();

    /** The debugger's part of a driver's client, if sonde-debugger is on the client's classpath. */
    public static Optional<DebugClientPlugin> of(DriverClient client) {
        return client.plugin(DebugClientPlugin.class);
    }

    @Override
    public String name() {
        return DebugNodePlugin.NAME;
    }

    @Override
    public void start(ClientContext context) {
        this.context = context;
        if (!context.isWorker()) {
            if (!DebuggerSetting.enabled()) {
                driverOff = "the debugger is off (sonde.debugger=off)";
                return;
            }
            String[] why = {""};
            driver = DriverDebugger.start(context, why);
            driverOff = why[0];
        }
    }

    /**
     * Takes this JVM's connection to its own JDWP agent, if it was started with one listening on
     * 127.0.0.1, so that no other process can attach to it; a driver does it at {@code Sonde.init},
     * the CLI as it starts (earlier). Harmless without an agent.
     */
    public static void takeDriverJdwp() {
        if (DebuggerSetting.enabled()) {
            DriverDebugger.take();
        }
    }

    /** {@code Sonde.breakpoint()} in the driver: parks the calling thread (see {@link DriverDebugger}), or says why not. */
    @Override
    public boolean breakpoint() {
        ClientContext c = context;
        if (c == null || c.isWorker()) {
            return false;
        }
        DriverDebugger d = driver;
        if (d != null) {
            d.breakpoint();
        } else {
            System.err.println("Sonde.breakpoint()" + WorkerDebugger.breakpointCaller()
                    .map(f -> " at " + (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber())
                    .orElse("") + " in the driver (pid " + ProcessHandle.current().pid() + ") does not stop: " + driverOff);
        }
        return true;
    }

    /** In a worker: where its tasks stop for {@code get}. */
    void worker(WorkerDebugger debugger) {
        this.worker = debugger;
    }

    /** Told when one of this driver's tasks parks at a breakpoint (on a transport thread: do not block). */
    public void setBreakpointListener(Consumer<BreakpointInfo> listener) {
        this.listener = listener;
    }

    /** The listener set last (the default prints the notice), so that another can pass stops on to it. */
    public Consumer<BreakpointInfo> breakpointListener() {
        return listener;
    }

    /** The notice a driver prints: {@code (square pid=4711) breakpoint at Tasks.java:12 — attach with ...}. */
    public void printNotice(BreakpointInfo b) {
        ClientContext c = context;
        if (c != null) {
            c.notice(b.getActorId().isEmpty() ? b.getTaskName() : b.getTaskName().split("\\.")[0],
                    b.getPid(), b.getNodeIp(), StopReasons.describe(b) + " \u2014 attach with 'sonde debug' or /debug");
        }
    }

    @Override
    public ByteString taskSubmitted(String taskId) {
        ClientContext c = context;
        if (c != null && c.isWorker() && !c.currentTaskId().isEmpty() && DebugMarks.takeBreakNextSubmit(c.currentTaskId())) {
            return TaskMark.newBuilder().setBreakAtStart(true).build().toByteString(); // the debugger's `remote`
        }
        return null;
    }

    @Override
    public void valueReceived(String objectId, ByteString data) {
        String awaited = Payloads.parse(() -> ResultMark.parseFrom(data)).getAwaitedTaskId();
        if (awaited.isEmpty() || !getStops.add(objectId)) {
            return;
        }
        ClientContext c = context;
        WorkerDebugger w = worker;
        if (c != null && c.isWorker() && w != null && !c.currentTaskId().isEmpty()) {
            w.stopAfterGet(awaited); // the debugger's `get`
        } else if (c != null) {
            c.notice("driver", ProcessHandle.current().pid(), c.nodeIp(), "get: the result of task "
                    + awaited + " reached this driver, where `get` does not stop (a driver stops only at its own"
                    + " Sonde.breakpoint()); it goes on");
        }
    }

    @Override
    public void nodeMessage(ByteString payload) {
        ClientCommand m = Payloads.parse(() -> ClientCommand.parseFrom(payload));
        if (m.hasTunnel()) {
            DriverDebugger d = driver;
            if (d != null) {
                d.tunnel(m.getTunnel());
            }
            return;
        }
        Consumer<BreakpointInfo> l = listener;
        if (l != null && m.hasNotice()) {
            l.accept(m.getNotice());
        }
    }

    @Override
    public void close() {
        DriverDebugger d = driver;
        if (d != null) {
            d.close();
        }
    }
}
