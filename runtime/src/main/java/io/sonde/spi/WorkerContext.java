package io.sonde.spi;

import com.google.protobuf.ByteString;

import java.util.Optional;

/** What a worker gives its {@link WorkerPlugin}s. Thread-safe. */
public interface WorkerContext {
    /** The name of the worker's thread that runs tasks, one at a time; a new one after {@link #retireTaskThread()}. */
    String TASK_THREAD = "sonde-task";

    /** This worker's id, as the node and {@code sonde list workers} name it. */
    String workerId();

    /** Sends a message to this plug-in's {@link NodePlugin}, in order with the task results (held until the worker's hello). */
    void sendToNode(ByteString payload);

    /**
     * The {@link ClientPlugin} of that class in the worker's core client (the client of the
     * tasks' nested tasks), so that a plug-in's worker part and client part in one worker can
     * work together; empty if the client has none.
     */
    <T> Optional<T> clientPlugin(Class<T> type);

    /** The task running now, or empty. */
    Optional<WorkerTask> currentTask();

    /** Whether the calling thread is the thread of the running task. */
    boolean isTaskThread();

    /**
     * Asks for the task thread to be replaced by a new one once the running task ends (the
     * debugger's JDWP invocations can never again run on a thread whose invoking debugger left).
     * {@link WorkerPlugin#taskThreadReplaced()} tells when the new one runs.
     */
    void retireTaskThread();
}
