package io.sonde.spi;

import com.google.protobuf.ByteString;

/**
 * The part of a plug-in that runs in each worker JVM, found with {@link java.util.ServiceLoader}
 * on the worker's classpath (the job's).
 *
 * <pre>
 *   start ─▶ (command | taskStarting ─▶ [breakpoint] ─▶ taskFinished | taskThreadReplaced)* ─▶ close
 * </pre>
 * The worker runs one task at a time on its task thread ({@link WorkerContext#TASK_THREAD}), except
 * the calls of an actor created with {@code maxConcurrency(n)}, n > 1: up to n of those run at once,
 * each on a thread of the actor's pool ({@code sonde-task-1} to {@code sonde-task-n}), so
 * {@link #taskStarting} and {@link #taskFinished} may be called for several tasks at once.
 */
public interface WorkerPlugin {
    /** The plug-in's name, the same as its {@link NodePlugin}'s and {@link ClientPlugin}'s. */
    String name();

    /**
     * Called once on the worker's main thread before the worker says hello to the node, so before
     * any command or task; what it sends goes out right after the hello.
     */
    void start(WorkerContext context);

    /**
     * A message from this plug-in's {@link NodePlugin}. Called on the transport thread of the
     * worker's command stream, in order with the tasks the node sends: it must not block.
     */
    default void command(ByteString payload) {
    }

    /**
     * The task is about to run: its arguments are decoded, its function not yet called. Called on
     * the task's thread (the task thread, or a concurrent actor's pool thread); may block the task (to park it), and may throw
     * {@link io.sonde.TaskCancelledException} to end it as cancelled.
     */
    default void taskStarting(WorkerTask task) {
    }

    /**
     * The task's function returned or threw. Called on the task's thread before the result goes to
     * the node; returns what to attach to the result for this plug-in's {@link ClientPlugin} in
     * the caller ({@code plugin_data}), or null.
     */
    default ByteString taskFinished(WorkerTask task) {
        return null;
    }

    /**
     * {@code Sonde.breakpoint()} was called, on the calling thread (the task's, or another the
     * task started). Returns whether this plug-in took the call; when no plug-in does, the worker
     * warns on stderr and the call returns. May block, and may throw
     * {@link io.sonde.TaskCancelledException}.
     */
    default boolean breakpoint() {
        return false;
    }

    /**
     * A new task thread replaced the one retired with {@link WorkerContext#retireTaskThread()}.
     * Called on the new thread before it runs a task.
     */
    default void taskThreadReplaced() {
    }

    /** The worker is exiting. Called on its main thread; must not block for long. */
    default void close() {
    }
}
