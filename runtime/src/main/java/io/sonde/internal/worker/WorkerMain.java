package io.sonde.internal.worker;

import io.grpc.ManagedChannel;
import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.CoreClient;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.RegisterClient;

/**
 * Entry point of a worker JVM, started by the node manager:
 * {@code WorkerMain <node address> <worker id> <job id> <node id> <node ip>}.
 * The worker serves tasks until the node manager closes its stream, then exits; it also exits
 * when the node manager goes away, so no worker outlives its cluster.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    /**
     * A worker started with the class data archive has its class path's jars first (see
     * {@code WorkerClassArchive}); its tasks see the job's class path as the job gave it.
     */
    private static void restoreClassPath() {
        String jobs = System.getProperty("sonde.worker.classpath");
        if (jobs != null) {
            System.setProperty("java.class.path", jobs);
            System.clearProperty("sonde.worker.classpath");
        }
    }

    /**
     * Workers share their driver's process group, so Ctrl-C at the driver's terminal reaches them
     * too. Stopping a worker is the node manager's decision (cancel, kill, shutdown), not the
     * terminal's: ignore SIGINT.
     */
    @SuppressWarnings("removal")
    private static void ignoreTerminalInterrupt() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT on this platform
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 5 && args.length != 6) {
            System.err.println("usage: WorkerMain <node address> <worker id> <job id> <node id> <node ip> [<result"
                    + " journal>] (workers are started by the node manager, not by hand)");
            System.exit(2);
        }
        restoreClassPath();
        ignoreTerminalInterrupt();
        SondeRuntime.HostPort node = SondeRuntime.HostPort.parse(args[0]);
        ManagedChannel channel = SondeRuntime.channel(node.host(), node.port());
        TaskExecutor executor = new TaskExecutor(args[1], args[3], args[4]);
        // A System.exit in a task goes through the hooks: the node learns which task called it, from where.
        ExitWitness witness = new ExitWitness(executor::runningTask, System.err);
        witness.install();
        executor.witness(witness);
        if (args.length == 6) {
            try {
                executor.journal(ResultJournal.create(java.nio.file.Path.of(args[5])));
            } catch (java.io.IOException | RuntimeException e) {
                // still correct, only slower: each result waits for the node's receipt
                System.err.println("sonde worker: cannot create the result journal " + args[5] + " (" + e
                        + "); each task waits until the node has the result of the one before");
            }
        }
        CoreClient client = new CoreClient(NodeManagerGrpc.newStub(channel)::connect,
                RegisterClient.newBuilder().setIsDriver(false).setJobId(args[2]).setWorkerId(args[1]).build(),
                executor::currentTaskId, null, args[0]);
        WorkerPlugins plugins = WorkerPlugins.load();
        executor.plugins(plugins);
        executor.client(client);
        client.onWait(executor::taskWaits);
        SondeRuntime.installWorker(client, executor::context, () -> {
            // parked at a breakpoint, the task holds up what is queued behind it: that runs elsewhere
            executor.taskWaits(true);
            try {
                plugins.breakpoint();
            } finally {
                executor.taskWaits(false);
            }
        });
        SondeRuntime.installExitActor(executor::exitActor);
        executor.jobLoader(new JobClassLoader(ClassLoader.getSystemClassLoader(), client::fetchClass));
        plugins.start(p -> new PluginContext(p.name(), args[1], executor, client));
        executor.serve(NodeManagerGrpc.newStub(channel));
        plugins.close();
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }
}
