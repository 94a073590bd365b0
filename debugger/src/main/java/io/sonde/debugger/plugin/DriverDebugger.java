package io.sonde.debugger.plugin;

import io.sonde.TaskCancelledException;
import io.sonde.debugger.jdwp.JdwpRouter;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.StopReason;
import io.sonde.debugger.proto.TunnelFrame;
import io.sonde.debugger.proto.WorkerEvent;
import io.sonde.spi.ClientContext;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code Sonde.breakpoint()} in a driver: the calling thread parks as a worker's task does, the node
 * lists the stop (marked {@code driver}, with the driver's pid), and {@code sonde debug} attaches to
 * the driver's JVM through the node and the driver's own session, as it does to a worker:
 *
 * <pre>
 *   driver thread: breakpoint ─▶ hold the workers' prints ─▶ notice ─▶ hit ─▶ park ... resume ─▶ resumed ─▶ print what was held
 *   `sonde debug` ══Jdwp══ node ──ClientCommand.tunnel──▶ driver's client ─▶ a client of the driver's JDWP connection
 *                                ◀──WorkerEvent.tunnel────
 * </pre>
 *
 * <h2>The driver's JDWP connection</h2>
 * HotSpot cannot load the JDWP agent into a running JVM (its library has no {@code Agent_OnAttach}),
 * so the driver's JVM must start with it: {@code sonde run} and {@code sonde shell} do, with
 * {@code -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0,quiet=y} and
 * {@code --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED} (to read the agent's port). As a
 * worker does, the driver connects to its own agent ({@link #take}, as early as it can: at the
 * start of the CLI, else at {@code Sonde.init}) and keeps that one connection, so the agent listens
 * no more and no other process can attach; debuggers reach it only through the node, over the
 * driver's authenticated session. A driver whose agent listens elsewhere than on loopback, or is
 * taken already (an IDE's debugger), or that has none, gets no stop: {@code Sonde.breakpoint()}
 * says why on stderr and returns.
 */
final class DriverDebugger {
    /** The JVM's one connection to its own agent, or why there is none: made once, by the first caller. */
    private static final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<Taken>> TAKEN =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** The outcome of {@link #take}: a router, or why not. */
    private record Taken(JdwpRouter router, String whyNot) {
    }

    private final ClientContext context;
    private final JdwpRouter router;
    /** The debuggers attached through the node. */
    private final JdwpTunnels tunnels;

    private DriverDebugger(ClientContext context, JdwpRouter router) {
        this.context = context;
        this.router = router;
        this.tunnels = new JdwpTunnels(router, this::send, "driver", () -> { }, () -> { });
        BreakpointPark.load();
    }

    /**
     * Takes this JVM's JDWP connection if it has an agent listening on loopback; does nothing the
     * second time. Returns why no debugger can attach to this JVM, or empty when one can.
     */
    static Optional<String> take() {
        return Optional.ofNullable(taken().whyNot());
    }

    /** Takes the connection the first time (outside any lock: the others wait for that caller's outcome). */
    private static Taken taken() {
        java.util.concurrent.CompletableFuture<Taken> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Taken> first = TAKEN.compareAndExchange(null, mine);
        if (first != null) {
            return first.join();
        }
        Taken t;
        try {
            int port = loopbackPort();
            try {
                // named, not addressed: the port stays out of thread names and messages
                t = new Taken(JdwpRouter.attach(port, Duration.ofSeconds(10), "this driver's JDWP agent"), null);
            } catch (IOException e) {
                throw new IOException("this driver cannot connect to its own JDWP agent: " + String.valueOf(
                        e.getMessage()).replaceAll("127\\.0\\.0\\.1:\\d+", "its loopback port"), e);
            }
        } catch (IOException | RuntimeException e) {
            t = new Taken(null, String.valueOf(e.getMessage()));
        }
        mine.complete(t);
        return t;
    }

    /** The driver's debugger, on this JVM's connection; empty (with the reason) if there is none. */
    static DriverDebugger start(ClientContext context, String[] why) {
        Taken t = taken();
        if (t.router() == null) {
            why[0] = t.whyNot();
            return null;
        }
        DriverDebugger d = new DriverDebugger(context, t.router());
        d.send(WorkerEvent.newBuilder().setJdwpHeld(true).build());
        return d;
    }

    /** The port of this JVM's JDWP agent, which must listen on 127.0.0.1; else why not, as an IOException. */
    private static int loopbackPort() throws IOException {
        Optional<String> option = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-agentlib:jdwp")).findFirst();
        if (option.isEmpty()) {
            throw new IOException("this driver's JVM has no JDWP agent, and HotSpot cannot load one into a running JVM."
                    + " Run the program with `sonde run`, or start its JVM with " + AGENT_OPTIONS);
        }
        // the agent's own property names no host: the option says where it listens
        String listen = java.util.Arrays.stream(option.get().substring(option.get().indexOf('=') + 1).split(","))
                .filter(o -> o.startsWith("address=")).map(o -> o.substring("address=".length())).findFirst().orElse("");
        if (!(listen.startsWith("127.0.0.1:") || listen.startsWith("localhost:") || listen.matches("\\d+"))) {
            throw new IOException("this driver's JDWP agent listens on '" + listen + "', not on 127.0.0.1 only, so"
                    + " Sonde does not debug through it; start the JVM with " + AGENT_OPTIONS);
        }
        String address;
        try {
            Properties p = (Properties) Class.forName("jdk.internal.vm.VMSupport").getMethod("getAgentProperties").invoke(null);
            address = p.getProperty("sun.jdwp.listenerAddress");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("this driver cannot read its JDWP agent's port: start its JVM with"
                    + " --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED as well");
        }
        if (address == null || address.isBlank()) {
            throw new IOException("this driver's JDWP agent is taken by another debugger (an IDE's?), or does not"
                    + " listen (server=n); stop the driver with that debugger's own breakpoints instead");
        }
        try {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1).trim());
        } catch (NumberFormatException e) {
            throw new IOException("this driver's JDWP agent's address cannot be read: " + address);
        }
    }

    /** The options a driver's JVM needs for {@code Sonde.breakpoint()} to stop it. */
    static final String AGENT_OPTIONS = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0,quiet=y"
            + " --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED";

    private void send(WorkerEvent e) {
        context.sendToNode(e.toByteString());
    }

    // ------------------------------------------------------------------ the stop

    /**
     * Parks the calling thread until a debugger lets it go, with the workers' prints held meanwhile.
     * An interrupt ends the wait: the thread goes on with its interrupt status set.
     */
    void breakpoint() {
        Thread me = Thread.currentThread();
        long pid = ProcessHandle.current().pid();
        BreakpointInfo.Builder info = WorkerDebugger.where(WorkerDebugger.breakpointCaller())
                .setReason(StopReason.BREAKPOINT).setDriver(true).setTaskName("driver")
                .setThreadName(me.getName()).setPid(pid);
        context.holdLogs(true);
        context.notice("driver", pid, context.nodeIp(), StopReasons.describe(info.build())
                + " \u2014 attach with 'sonde debug' in another terminal; the workers' prints wait until it goes on");
        BreakpointPark.listParked(me, true);
        try {
            send(WorkerEvent.newBuilder().setHit(info).build());
            BreakpointPark.park();
        } catch (TaskCancelledException interrupted) {
            me.interrupt(); // a driver's thread has no task to cancel: keep the interrupt for its code
        } finally {
            BreakpointPark.listParked(me, false);
            send(WorkerEvent.newBuilder().setResumedTaskId(me.getName()).build());
            try {
                // what was held prints before the driver's own next lines
                context.holdLogs(false).get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                me.interrupt();
            } catch (Exception slow) {
                // the printing thread is slow: the lines follow
            }
        }
    }

    // ------------------------------------------------------------------ tunnels

    /** A frame of a tunnel from the node, on the client's lane: must not block. */
    void tunnel(TunnelFrame f) {
        tunnels.frame(f);
    }

    /** The client closes: the debuggers attached through the node are let go (the router undoes their requests). */
    void close() {
        tunnels.closeAll();
    }
}
