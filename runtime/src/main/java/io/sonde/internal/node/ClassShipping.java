package io.sonde.internal.node;

import io.sonde.proto.ClassBytes;
import io.sonde.proto.FetchClass;
import io.sonde.proto.NodeMessage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ships to a worker the classes its job's driver defined in memory ({@code java Main.java}, shell
 * snippets): the worker's request goes to the driver under a node-wide request id, since request
 * ids are only unique per worker, and the driver's answer goes back under the worker's own id.
 *
 * <pre>
 *   worker ─FetchClass(7)──▶ fetch ──ClassRequest(42)──▶ driver
 *   worker ◀─ClassBytes(7)── bytes ◀─ClassBytes(42)─────┘
 * </pre>
 *
 * <p>Thread-safe, and guarded by no lock of the node: the node calls it off its lock, with the
 * driver it looked up under it. A driver that leaves with requests pending never answers them:
 * the worker's client stops waiting after its own timeout (the class is then not found).
 */
final class ClassShipping {
    private final AtomicLong requests = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(ClientSession worker, long requestId) {
    }

    /**
     * Forwards a worker's request for a class to {@code driver}; when there is none (the job
     * ended), answers at once that the class is not found.
     */
    void fetch(ClientSession worker, FetchClass f, ClientSession driver) {
        long id = requests.incrementAndGet();
        if (driver == null) {
            worker.send(NodeMessage.newBuilder().setClassBytes(ClassBytes.newBuilder()
                    .setRequestId(f.getRequestId()).setFound(false)).build());
            return;
        }
        pending.put(id, new Pending(worker, f.getRequestId()));
        driver.send(NodeMessage.newBuilder().setClassRequest(f.toBuilder().setRequestId(id)).build());
    }

    /** The driver's answer: back to the worker that asked; dropped when nobody asked under that id. */
    void bytes(ClassBytes b) {
        Pending p = pending.remove(b.getRequestId());
        if (p != null) {
            p.worker().send(NodeMessage.newBuilder().setClassBytes(b.toBuilder().setRequestId(p.requestId())).build());
        }
    }
}
