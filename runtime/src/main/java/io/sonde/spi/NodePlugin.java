package io.sonde.spi;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;

import java.util.List;
import java.util.Map;

/**
 * The part of a plug-in that runs in the node manager's JVM (a driver with an embedded cluster,
 * or {@code sonde start}), found with {@link java.util.ServiceLoader}; one instance per node.
 *
 * <pre>
 *   start ─▶ services ─▶ ( workerJvmOptions ─▶ workerStarted ─▶ workerHello ─▶ workerMessage* ─▶ workerExited
 *                        | jobStarted ─▶ clientMessage* ─▶ jobEnded | workerMemory )* ─▶ close
 * </pre>
 *
 * <h2>Threads</h2>
 * {@link #workerJvmOptions}, {@link #jobStarted} and {@link #workerHello} run while the node holds
 * its lock, so that what they do is in place before the job's or the worker's first task: they
 * must not block, and send only through the {@link NodeContext}. Every other hook runs on the
 * plug-in's own thread ({@code sonde-plugin-NAME}), one at a time and in the order the node saw
 * the events, never under the node's lock.
 */
public interface NodePlugin {
    /** The plug-in's name, the same as its {@link WorkerPlugin}'s and {@link ClientPlugin}'s. */
    String name();

    /** Called once when the node starts, before any other hook, on the thread that starts the node. */
    void start(NodeContext context);

    /** gRPC services the node's server adds (for a CLI of the plug-in). Called once after {@link #start}. */
    default List<BindableService> services() {
        return List.of();
    }

    /** Options for the {@code java} command of a worker the node is about to launch. Under the node's lock. */
    default List<String> workerJvmOptions() {
        return List.of();
    }

    /**
     * A driver registered a job, with the options it set for the plug-ins (see
     * {@code InitOptions}), by {@code "plugin.option"} name. Under the node's lock.
     */
    default void jobStarted(String jobId, Map<String, String> options) {
    }

    /** A job's driver left; its workers are being stopped. */
    default void jobEnded(String jobId) {
    }

    /** A worker process was launched; it has not said hello yet. */
    default void workerStarted(WorkerRef worker) {
    }

    /**
     * A worker said hello: it is ready for commands and will get its first task right after this
     * hook. Under the node's lock: send what must precede the first task here.
     */
    default void workerHello(WorkerRef worker) {
    }

    /** A worker process exited, however it ended. */
    default void workerExited(WorkerRef worker) {
    }

    /** A message from this plug-in's {@link WorkerPlugin}, in the order the worker sent it. */
    default void workerMessage(WorkerRef worker, ByteString payload) {
    }

    /**
     * The node's memory monitor took a sample: the memory of each live worker that said hello, in
     * no particular order. Called about once a second (the first sample of each second), never when
     * the monitor is off ({@code SONDE_MEMORY_MONITOR_REFRESH_MS=0}). On the plug-in's own thread:
     * a plug-in that is slow here delays only its own hooks.
     */
    default void workerMemory(List<WorkerMemory> workers) {
    }

    /** A message from this plug-in's {@link ClientPlugin} in a driver or a worker's client. */
    default void clientMessage(ClientRef client, ByteString payload) {
    }

    /** The node is stopping. */
    default void close() {
    }
}
