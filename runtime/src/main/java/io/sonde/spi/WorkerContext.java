package io.sonde.spi;

import com.google.protobuf.ByteString;

import java.util.Optional;

/** What a worker gives its {@link WorkerPlugin}s. Thread-safe. */
public interface WorkerContext {
    /**
     * The name of the worker's thread that runs tasks, one at a time; a new one after {@link #retireTaskThread()}.
     * An actor created with {@code maxConcurrency(n)}, n > 1, runs its calls on n more threads
     * named with this prefix: {@code sonde-task-1} to {@code sonde-task-n}.
     */
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

    /**
     * The calling thread's task; on another thread, the task running now (one of them, for a
     * concurrent actor); or empty.
     */
    Optional<WorkerTask> currentTask();

    /** The task that runs on {@code thread} now, or empty. */
    default Optional<WorkerTask> taskOn(Thread thread) {
        return Optional.empty();
    }

    /** Whether the calling thread is the thread of a running task. */
    boolean isTaskThread();

    /**
     * Asks for the task thread to be replaced by a new one once the running task ends (the
     * debugger's JDWP invocations can never again run on a thread whose invoking debugger left).
     * {@link WorkerPlugin#taskThreadReplaced()} tells when the new one runs.
     */
    void retireTaskThread();
}
