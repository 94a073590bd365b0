package io.sonde.internal.node;

import io.sonde.internal.head.Head;

import java.nio.file.Path;
import java.util.Map;

/**
 * A node manager whose workers are in-process fakes, with a driver connected: what the state
 * machine tests drive. Nothing is started but threads. Unless a test asks for them
 * ({@link #withSpares}), the node keeps no spare workers, so each worker a test sees was started
 * for a task or an actor.
 */
final class FakeNode implements AutoCloseable {
    final FakeWorkerLauncher workers;
    final NodeManager node;
    final FakeClient driver;

    private FakeNode(String nodeId, double cpus, Path dir, FakeWorkerLauncher.Start start, int spares) {
        this(nodeId, cpus, dir, start, spares, 1);
    }

    /**
     * @param depth tasks a leased worker has at once; 1 (the tests of one task per worker) unless
     *              a test looks at pipelining
     */
    private FakeNode(String nodeId, double cpus, Path dir, FakeWorkerLauncher.Start start, int spares, int depth) {
        workers = new FakeWorkerLauncher(dir);
        workers.start(start);
        node = new NodeManager(new NodeConfig(nodeId, "127.0.0.1", cpus, 1L << 34, dir, Map.of())
                .withSpareWorkers(spares).withMemorySettings(new io.sonde.internal.node.memory.MemorySettings(0, 0.95)),
                new Head(), workers, new PipelineDepth(depth));
        workers.node(node);
        driver = FakeClient.driver(node);
    }

    /** A node with {@code cpus} CPUs whose workers say hello and take tasks. */
    static FakeNode withCpus(double cpus, Path dir) {
        return new FakeNode("abcdef123456", cpus, dir, FakeWorkerLauncher.Start.HELLO, 0);
    }

    /** A node with {@code cpus} CPUs whose leased workers have up to {@code depth} tasks at once. */
    static FakeNode withPipeline(double cpus, int depth, Path dir) {
        return new FakeNode("abcdef123456", cpus, dir, FakeWorkerLauncher.Start.HELLO, 0, depth);
    }

    /** A node with {@code cpus} CPUs that keeps {@code spares} idle workers per job started ahead. */
    static FakeNode withSpares(double cpus, int spares, Path dir) {
        return new FakeNode("abcdef123456", cpus, dir, FakeWorkerLauncher.Start.HELLO, spares);
    }

    /** A node with its own id, for tests with several node managers (give each its own directory). */
    static FakeNode named(String nodeId, double cpus, Path dir) {
        return new FakeNode(nodeId, cpus, dir, FakeWorkerLauncher.Start.HELLO, 0);
    }

    /** A node whose workers start as {@code start} says (the driver's first one too). */
    static FakeNode withWorkers(double cpus, Path dir, FakeWorkerLauncher.Start start) {
        return new FakeNode("abcdef123456", cpus, dir, start, 0);
    }

    @Override
    public void close() {
        node.shutdown(true);
    }
}
