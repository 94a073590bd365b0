package io.sonde.spi;

import com.google.protobuf.ByteString;

import java.util.List;
import java.util.Optional;

/**
 * What the node manager gives its {@link NodePlugin}s: a small read-only view of the node, and
 * sends to this plug-in's parts in workers and drivers. Thread-safe.
 *
 * <p>Every method takes the node's lock for a moment: never call one while holding a lock of
 * your own that a hook called under the node's lock also takes, or the two locks deadlock.
 * Sends go to the connection's own queue and never block.
 */
public interface NodeContext {
    String nodeId();

    /** The node's IP, where its workers' loopback ports are. */
    String nodeIp();

    /**
     * The node's session directory (its workers' logs are in {@code logs/}): where a plug-in keeps
     * what lives as long as the session, under a directory named after itself. Its workers run on
     * this machine and can read and write there too.
     */
    java.nio.file.Path sessionDir();

    /** A live worker of this node, or empty once it exited. */
    Optional<WorkerRef> worker(String workerId);

    /** The live workers that said hello, in start order. */
    List<WorkerRef> workers();

    /**
     * The ancestor of a task that its driver submitted (the task itself if the driver did), as far
     * as the node still knows the chain of parents.
     */
    String rootTaskId(String taskId);

    /**
     * Whether a task has ended, with every task it submitted (and theirs) that this node still
     * holds: true once none of them runs or waits here. A task this node does not hold (it ended
     * and was forgotten, or its job ended) counts as ended. The debugger's {@code remote} stops
     * waiting for a submit when this turns true.
     */
    boolean taskEnded(String taskId);

    /** Sends to this plug-in's {@link WorkerPlugin} in a worker; dropped if the worker is gone. */
    void sendToWorker(String workerId, ByteString payload);

    /** Sends to this plug-in's {@link ClientPlugin} in a job's driver; dropped if the job ended. */
    void sendToDriver(String jobId, ByteString payload);
}
