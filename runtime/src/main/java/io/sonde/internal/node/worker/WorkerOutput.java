package io.sonde.internal.node.worker;

import java.util.List;

/** Where a worker's output goes besides its log files. Called on the worker's log pump threads. */
public interface WorkerOutput {
    /** Lines the worker printed while {@code taskName} ran, in order, read together. */
    void lines(WorkerHandle worker, boolean stderr, String taskName, List<String> lines);

    /**
     * Sees each stdout line before it is relayed; true when the line is a message of the JVM or
     * of an agent to the node rather than the task's output: it stays in the log file but is not
     * relayed.
     */
    boolean consumeStdout(WorkerHandle worker, String line);
}
