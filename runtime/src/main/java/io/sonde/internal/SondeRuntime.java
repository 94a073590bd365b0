package io.sonde.internal;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sonde.internal.cluster.AuthToken;
import io.sonde.InitOptions;
import io.sonde.RuntimeContext;
import io.sonde.SondeException;
import io.sonde.internal.client.ConsoleLogRelay;
import io.sonde.internal.client.CoreClient;
import io.sonde.internal.cluster.LocalNode;
import io.sonde.internal.node.object.ObjectStoreSettings;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.Registered;
import io.sonde.proto.RegisterClient;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one place that holds process-wide state: this process's {@link CoreClient}, the embedded
 * node when the driver runs one, and in a worker the scope of the running task. Everything
 * static in Sonde goes through here.
 *
 * <p>Thread-safe: init and shutdown are serialized; readers see a consistent client through a
 * volatile field.
 */
public final class SondeRuntime {
    private static final Object LOCK = new Object();
    private static volatile CoreClient client;
    private static volatile LocalNode embedded;
    private static volatile ManagedChannel channel;
    private static volatile Supplier<RuntimeContext> workerContext;
    private static volatile Runnable workerBreakpoint;
    private static volatile java.util.function.Consumer<String> workerExitActor;
    private static volatile Thread shutdownHook;

    static {
        // Makes NotSerializableException name the path to the culprit field ("- field (class Foo, name: bar)").
        // Read once when ObjectOutputStream is first loaded, so set before any value is serialized.
        System.setProperty("sun.io.serialization.extendedDebugInfo", "true");
    }

    private SondeRuntime() {
    }

    public static void init(InitOptions options) {
        synchronized (LOCK) {
            if (client != null) {
                throw new IllegalStateException("Sonde is already initialized"
                        + (workerContext != null ? " in this worker" : "") + "; call Sonde.shutdown() first to start anew");
            }
            String address = options.address();
            if (address == null || address.isBlank()) {
                address = System.getenv("SONDE_ADDRESS");
            }
            RegisterClient registration = RegisterClient.newBuilder()
                    .setIsDriver(true)
                    .addAllClasspath(List.of(System.getProperty("java.class.path").split(File.pathSeparator)))
                    .setLogToDriver(options.logToDriver())
                    .setWorkingDir(System.getProperty("user.dir"))
                    .addAllJvmOptions(options.workerJvmOptions())
                    .setDriverPid(ProcessHandle.current().pid())
                    .putAllPluginOptions(options.pluginOptions())
                    .setNamespace(options.namespace().orElse(""))
                    .build();
            if (address == null || address.isBlank()) {
                LocalNode node = LocalNode.start(options.numCpus().orElse(-1), options.memory(), options.resources(),
                        ObjectStoreSettings.DEFAULT.withCapacity(options.objectStoreMemory())
                                .withSpillDir(options.objectSpillingDirectory().orElse(null)));
                try {
                    client = new CoreClient(node.nodeManager()::connect, registration, null, null, node.address());
                } catch (RuntimeException e) {
                    node.close();
                    throw e;
                }
                embedded = node;
            } else {
                HostPort hp = HostPort.parse(address);
                ManagedChannel ch = channel(hp.host(), hp.port());
                try {
                    client = new CoreClient(NodeManagerGrpc.newStub(ch)::connect, registration, null, null, address);
                } catch (RuntimeException e) {
                    ch.shutdownNow();
                    throw e;
                }
                channel = ch;
            }
            client.setClassSource(callerLoader());
            if (options.logToDriver()) {
                client.setLogRelay(ConsoleLogRelay.toConsole(client.info().getNodeIp()));
            }
            shutdownHook = new Thread(SondeRuntime::shutdown, "sonde-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * The loader of the code that called {@code Sonde.init}: it defined the program's classes,
     * including ones that exist only in memory (the source launcher's), which workers fetch.
     */
    private static ClassLoader callerLoader() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                        .filter(c -> !c.getName().startsWith("io.sonde.") || c.getName().startsWith("io.sonde.shell."))
                        .map(Class::getClassLoader)
                        .filter(l -> l != null)
                        .findFirst())
                .orElse(Thread.currentThread().getContextClassLoader());
    }

    /**
     * A gRPC channel to a Sonde node on loopback, sized for large objects, whose calls carry the
     * cluster's auth token when this process can find it ({@link AuthToken#find}).
     */
    public static ManagedChannel channel(String host, int port) {
        return channel(host, port, AuthToken.find(host, port));
    }

    /** A channel to a Sonde node whose calls carry {@code token} (none: they carry none). */
    public static ManagedChannel channel(String host, int port, java.util.Optional<AuthToken> token) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port);
        token.ifPresent(t -> builder.intercept(t.client()));
        return builder
                .usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .flowControlWindow(LocalNode.WINDOW)
                // Inbound handlers complete futures or queue work; none blocks a transport thread.
                .directExecutor()
                .build();
    }

    /** Installs the client of a worker process; called once by the worker's main. */
    public static void installWorker(CoreClient workerClient, Supplier<RuntimeContext> context, Runnable breakpoint) {
        synchronized (LOCK) {
            client = workerClient;
            workerContext = context;
            workerBreakpoint = breakpoint;
        }
    }

    /** In a worker: how {@link #exitActor} reaches the task that runs. */
    public static void installExitActor(java.util.function.Consumer<String> exitActor) {
        workerExitActor = exitActor;
    }

    /**
     * {@code Sonde.exitActor()}, called at {@code site}: the worker's actor ends after the running
     * method. A driver has no actor to end.
     */
    public static void exitActor(String site) {
        java.util.function.Consumer<String> e = workerExitActor;
        if (e == null) {
            throw new IllegalStateException("Sonde.exitActor() ends the actor whose method calls it, and was called in"
                    + " a driver" + (site.isEmpty() ? "" : " at " + site) + ". End an actor from outside with"
                    + " handle.terminate() (after the calls submitted before it) or Sonde.kill(handle) (at once).");
        }
        e.accept(site);
    }

    /**
     * In a worker: hands the call to the worker's plug-ins (the debugger parks the running task
     * until a debugger lets it go; with none, the worker warns and the call returns). In a driver:
     * hands it to the client's plug-ins (the debugger parks the calling thread, if the driver's JVM
     * has a JDWP agent); where none takes it, or Sonde is not initialized, says so on stderr and returns.
     */
    public static void breakpoint() {
        Runnable b = workerBreakpoint;
        if (b != null) {
            b.run();
            return;
        }
        CoreClient c = client;
        if (c == null) {
            System.err.println("Sonde.breakpoint()" + callSite() + " ignored: Sonde is not initialized in this"
                    + " JVM; a driver stops at a breakpoint once Sonde.init has run (the node lists the stop).");
        } else if (!c.breakpoint()) {
            System.err.println("Sonde.breakpoint()" + callSite() + " ignored: this driver runs without the"
                    + " debugger (sonde-debugger is not on its classpath).");
        }
    }

    /** {@code " at Main.java:12"}: the frame that called {@code Sonde.breakpoint()}, or empty. */
    private static String callSite() {
        return StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> !(f.getClassName().equals("io.sonde.Sonde") && f.getMethodName().equals("breakpoint")))
                .skip(1).findFirst())
                .map(f -> " at " + (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber())
                .orElse("");
    }

    public static void shutdown() {
        synchronized (LOCK) {
            CoreClient c = client;
            if (c == null || workerContext != null) {
                return;
            }
            client = null;
            LocalNode node = embedded;
            embedded = null;
            ManagedChannel ch = channel;
            channel = null;
            if (node != null) {
                // Stop workers first while the session is open, so their last prints reach us.
                node.nodeManager().shutdown(false);
            }
            c.close();
            if (node != null) {
                node.close();
            }
            if (ch != null) {
                ch.shutdown();
                try {
                    ch.awaitTermination(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Thread hook = shutdownHook;
            shutdownHook = null;
            if (hook != null && Thread.currentThread() != hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the JVM is exiting; the hook is what called us or will find nothing to do
                }
            }
        }
    }

    public static boolean isInitialized() {
        return client != null;
    }

    public static CoreClient client() {
        CoreClient c = client;
        if (c == null) {
            throw new SondeException("Sonde is not initialized: call Sonde.init() first (or run the code with"
                    + " `sonde run` or in `sonde shell`, which do it for you)");
        }
        return c;
    }

    /** The embedded node when this driver runs one, else null. */
    public static LocalNode embeddedNode() {
        return embedded;
    }

    public static RuntimeContext context() {
        Supplier<RuntimeContext> w = workerContext;
        if (w != null) {
            return w.get();
        }
        Registered info = client().info();
        return new RuntimeContext("driver-" + info.getJobId(), "", info.getNodeId(), ProcessHandle.current().pid(), 0,
                "driver");
    }

    /** {@code sonde://host:port} or {@code host:port}. */
    public record HostPort(String host, int port) {
        public static HostPort parse(String address) {
            String a = address.trim();
            if (a.startsWith("sonde://")) {
                a = a.substring("sonde://".length());
            }
            int colon = a.lastIndexOf(':');
            try {
                if (colon <= 0) {
                    throw new NumberFormatException();
                }
                return new HostPort(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + address + "' is not a Sonde address; expected sonde://host:port,"
                        + " as printed by `sonde start --head`");
            }
        }
    }
}
