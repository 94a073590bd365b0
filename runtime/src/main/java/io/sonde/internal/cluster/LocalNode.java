package io.sonde.internal.cluster;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sonde.internal.head.Head;
import io.sonde.internal.node.NodeConfig;
import io.sonde.internal.node.NodeManager;
import io.sonde.internal.node.NodeManagerService;
import io.sonde.internal.node.memory.MemorySettings;
import io.sonde.internal.node.memory.NodeMemory;
import io.sonde.internal.node.object.ObjectStoreSettings;
import io.sonde.internal.node.worker.ProcessWorkerLauncher;
import io.sonde.internal.node.worker.WorkerClassArchive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A head and a node manager serving on 127.0.0.1: what {@code Sonde.init()} embeds in the driver
 * and what {@code sonde start --head} runs as a daemon. Workers always reach it over gRPC; an
 * embedded driver calls the node manager directly. Every call to its services must carry the
 * cluster's {@link AuthToken}, made here and kept in the session directory.
 */
public final class LocalNode implements AutoCloseable {
    /** HTTP/2 flow-control window of every Sonde connection. */
    public static final int WINDOW = 32 * 1024 * 1024;
    private final Head head = new Head();
    private final NodeManager nodeManager;
    private final Server server;
    private final Path sessionDir;

    private LocalNode(int port, int cpus, long memoryBudget, Map<String, Double> resources, ObjectStoreSettings objectStore,
                      Runnable onStop) {
        MemorySettings memorySettings = MemorySettings.fromEnvironment(); // a bad value stops here, before anything starts
        String nodeId = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        WorkerClassArchive classArchive = WorkerClassArchive.fromEnvironment(ProcessWorkerLauncher.javaBin(),
                m -> System.err.println("sonde node " + nodeId + ": " + m)); // so does this one's
        NodeMemory memory = NodeMemory.detect(memoryBudget);
        checkObjectStore(objectStore, memory.total(), memoryBudget > 0); // as is a store it cannot hold
        sessionDir = SessionDir.create();
        AuthToken token = AuthToken.generate();
        token.writeTo(sessionDir);
        NodeConfig config = new NodeConfig(nodeId, "127.0.0.1",
                cpus >= 0 ? cpus : Runtime.getRuntime().availableProcessors(), memory.total(), sessionDir, resources)
                .withMemoryBudget(memoryBudget).withMemorySettings(memorySettings).withObjectStore(objectStore);
        ProcessWorkerLauncher launcher = new ProcessWorkerLauncher(nodeId, config.ip(), config.logDir(),
                Map.of(AuthToken.ENV, token.value()), memory.workerHeapCeiling(memorySettings.threshold()),
                classArchive);
        nodeManager = new NodeManager(config, head, launcher);
        Runnable stop = onStop != null ? onStop : () -> { };
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .addService(new NodeManagerService(nodeManager, stop))
                    // every service, the plug-ins' too: no call without the cluster's token
                    .intercept(token.server(refused -> System.err.println("sonde node " + nodeId + ": " + refused)));
            nodeManager.plugins().services().forEach(builder::addService);
            server = builder
                    .maxInboundMessageSize(Integer.MAX_VALUE)
                    // Objects of tens of MB travel inline until the object store arrives: a wide window
                    // lets one cross loopback without waiting on window updates.
                    .flowControlWindow(WINDOW)
                    // Handlers only take the node manager's lock briefly and never block, so they run on
                    // the transport threads: one thread handoff less on every task.
                    .directExecutor()
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage()
                    + (port != 0 ? "; is another Sonde head running? Try `sonde stop` or another --port" : ""), e);
        }
        FdLimit.check().ifPresent(w -> System.err.println("sonde node " + nodeId + ": " + w));
        launcher.nodeAddress("127.0.0.1:" + server.getPort());
        SessionDir.writeAddress(sessionDir, address());
        head.registerNode(new Head.Node(nodeId, config.ip(), address(), config.cpus(), config.memory()));
    }

    /**
     * Starts a node on an ephemeral port with {@code cpus} CPUs (0: none; negative: all processors)
     * and a memory budget of {@code memoryBudget} bytes (0: its cgroup's or the machine's memory).
     */
    public static LocalNode start(int cpus, long memoryBudget, Map<String, Double> resources) {
        return start(cpus, memoryBudget, resources, ObjectStoreSettings.DEFAULT);
    }

    /**
     * As {@link #start(int, long, Map)}, with the object store sized and spilling as
     * {@code objectStore} says.
     *
     * @throws IllegalArgumentException the store is larger than the node's memory, or its spill
     *                                  directory cannot be used; nothing has started then
     */
    public static LocalNode start(int cpus, long memoryBudget, Map<String, Double> resources,
                                  ObjectStoreSettings objectStore) {
        return new LocalNode(0, cpus, memoryBudget, resources, objectStore, null);
    }

    /** Starts a node on an ephemeral port with {@code cpus} CPUs (0: none; negative: all processors). */
    public static LocalNode start(int cpus, Map<String, Double> resources) {
        return start(cpus, 0, resources);
    }

    /**
     * Starts a node on {@code port} (0: ephemeral) with {@code cpus} CPUs (0: none; negative: all
     * processors) and a memory budget (0: none); {@code onStop} runs when `sonde stop` asks.
     */
    public static LocalNode start(int port, int cpus, long memoryBudget, Runnable onStop) {
        return start(port, cpus, memoryBudget, ObjectStoreSettings.DEFAULT, onStop);
    }

    /** As {@link #start(int, int, long, Runnable)}, with the object store sized and spilling as {@code objectStore} says. */
    public static LocalNode start(int port, int cpus, long memoryBudget, ObjectStoreSettings objectStore,
                                  Runnable onStop) {
        return new LocalNode(port, cpus, memoryBudget, Map.of(), objectStore, onStop);
    }

    /** As {@link #start(int, int, long, Runnable)} without a memory budget. */
    public static LocalNode start(int port, int cpus, Runnable onStop) {
        return start(port, cpus, 0, onStop);
    }

    /**
     * The object store's settings checked against the node, before anything starts: it fits in
     * the node's memory, and its spill directory can be used. The messages name both the
     * {@code InitOptions} method and the flag, as either may have set them.
     */
    private static void checkObjectStore(ObjectStoreSettings objectStore, long nodeMemory, boolean budget) {
        java.util.Objects.requireNonNull(objectStore, "objectStore");
        ObjectStoreChecks.fits("objectStoreMemory (--object-store-memory)", objectStore.capacity(), nodeMemory,
                "memory (--memory)", budget);
        if (objectStore.spillDir() != null) {
            ObjectStoreChecks.spillDir("objectSpillingDirectory (--object-spilling-directory)", objectStore.spillDir());
        }
    }

    public NodeManager nodeManager() {
        return nodeManager;
    }

    public Path sessionDir() {
        return sessionDir;
    }

    public int port() {
        return server.getPort();
    }

    public String address() {
        return "sonde://127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
        SessionDir.removeAddress(sessionDir);
        nodeManager.shutdown(false);
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }
}
