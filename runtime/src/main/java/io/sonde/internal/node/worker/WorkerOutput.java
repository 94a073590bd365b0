package io.sonde.internal.node.worker;

import java.util.List;

/** Where a worker's output goes besides its log files. Called on the worker's log pump threads. */
public interface WorkerOutput {
    /** Lines the worker printed while {@code taskName} ran, in order, read together. */
    void lines(WorkerHandle worker, boolean stderr, String taskName, List<String> lines);
}
