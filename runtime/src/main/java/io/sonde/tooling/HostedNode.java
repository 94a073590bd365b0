package io.sonde.tooling;

import io.sonde.internal.SondeRuntime;
import io.sonde.internal.cluster.LocalNode;
import io.sonde.internal.node.NodeConfig;
import io.sonde.internal.node.object.ObjectStoreSettings;
import io.sonde.proto.WorkerInfo;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A head and node manager that this process runs on 127.0.0.1: the one {@code Sonde.init()}
 * embeds in a driver (the shell, {@code sonde run}, a benchmark), or the one
 * {@code sonde start --head} runs as a daemon. Tools reach its plug-ins in process (the shell
 * reads the debugger's list of parked tasks without a round trip) and read what the daemon
 * prints.
 *
 * <pre>
 *   embedded():  Sonde.init() ─▶ [node runs] ─▶ Sonde.shutdown() stops it
 *   start():     start ─▶ [node runs] ─▶ close
 * </pre>
 * Thread-safe: a view of the node, which guards its own state.
 */
public final class HostedNode implements AutoCloseable {
    private final LocalNode node;

    private HostedNode(LocalNode node) {
        this.node = node;
    }

    /** The node {@code Sonde.init()} embedded in this driver; empty when it joined a cluster by address, or before init. */
    public static Optional<HostedNode> embedded() {
        return Optional.ofNullable(SondeRuntime.embeddedNode()).map(HostedNode::new);
    }

    /**
     * Starts a node for {@code sonde start --head}.
     *
     * @param port   where it listens on 127.0.0.1; 0 for any free port
     * @param cpus   CPUs it hands out; 0 for none (a head that runs nothing that needs a CPU), negative for
     *               all processors
     * @param memoryBudget bytes the node takes as its memory ({@code --memory}); 0 for its cgroup's or the machine's
     * @param onStop what runs when {@code sonde stop} asks the node to stop (after its workers stopped)
     * @throws java.io.UncheckedIOException if it cannot listen on the port; the message says what to try
     * @throws IllegalArgumentException a memory monitor setting of the environment cannot be used; the message names it
     */
    public static HostedNode start(int port, int cpus, long memoryBudget, Runnable onStop) {
        return start(port, cpus, memoryBudget, 0, null, onStop);
    }

    /**
     * As {@link #start(int, int, long, Runnable)}, with the object store's settings.
     *
     * @param objectStoreMemory bytes of the object store ({@code --object-store-memory}); 0 for
     *                          {@link ObjectStoreOptions#DEFAULT_FRACTION} of the node's memory
     * @param spillDir          where it spills ({@code --object-spilling-directory}); null for {@code <session>/spill}
     * @throws IllegalArgumentException also when the store is larger than the node's memory or the
     *                                  spill directory cannot be used; the message says which
     */
    public static HostedNode start(int port, int cpus, long memoryBudget, long objectStoreMemory, Path spillDir,
                                   Runnable onStop) {
        return new HostedNode(LocalNode.start(port, cpus, memoryBudget,
                ObjectStoreSettings.DEFAULT.withCapacity(objectStoreMemory).withSpillDir(spillDir), onStop));
    }

    /** Bytes its object store may hold: as set, else its share of the node's memory. */
    public long objectStoreCapacity() {
        NodeConfig config = node.nodeManager().config();
        return config.objectStore().capacityFor(config.memory());
    }

    /** Where its object store spills: as set, else {@code <session>/spill}. */
    public Path objectSpillingDirectory() {
        return node.nodeManager().config().spillDir();
    }

    /** Whether its memory monitor samples (it does unless SONDE_MEMORY_MONITOR_REFRESH_MS=0). */
    public boolean memoryMonitorOn() {
        return node.nodeManager().memoryMonitor().settings().enabled();
    }

    /** Where it answers: {@code sonde://127.0.0.1:PORT}. */
    public String address() {
        return node.address();
    }

    /** Its session directory, with the workers' logs in {@code logs/}. */
    public Path sessionDir() {
        return node.sessionDir();
    }

    /** The CPUs its scheduler hands out. */
    public double cpus() {
        return node.nodeManager().config().cpus();
    }

    /** Its live workers, as {@code sonde list workers} shows them. */
    public List<WorkerInfo> workers() {
        return node.nodeManager().listWorkers();
    }

    /** Its {@link io.sonde.spi.NodePlugin} of that class, if the plug-in is on the node's classpath. */
    public <T> Optional<T> plugin(Class<T> type) {
        return node.nodeManager().plugins().find(type);
    }

    /**
     * Stops a node this process {@link #start started}: its workers, then its server. The node
     * {@link #embedded()} returns stops with {@code Sonde.shutdown()} instead: do not close it here.
     */
    @Override
    public void close() {
        node.close();
    }
}
