package io.sonde.internal.node;

import io.sonde.internal.head.Head;

import java.nio.file.Path;
import java.util.Map;

/**
 * A node manager whose workers are in-process fakes, with a driver connected: what the state
 * machine tests drive. Nothing is started but threads.
 */
final class FakeNode implements AutoCloseable {
    final FakeWorkerLauncher workers;
    final NodeManager node;
    final FakeClient driver;

    private FakeNode(double cpus, Path dir, FakeWorkerLauncher.Start start) {
        workers = new FakeWorkerLauncher(dir);
        workers.start(start);
        node = new NodeManager(new NodeConfig("abcdef123456", "127.0.0.1", cpus, 1L << 34, dir, Map.of()),
                new Head(), workers);
        workers.node(node);
        driver = FakeClient.driver(node);
    }

    /** A node with {@code cpus} CPUs whose workers say hello and take tasks. */
    static FakeNode withCpus(double cpus, Path dir) {
        return new FakeNode(cpus, dir, FakeWorkerLauncher.Start.HELLO);
    }

    /** A node whose workers start as {@code start} says (the driver's first one too). */
    static FakeNode withWorkers(double cpus, Path dir, FakeWorkerLauncher.Start start) {
        return new FakeNode(cpus, dir, start);
    }

    @Override
    public void close() {
        node.shutdown(true);
    }
}
