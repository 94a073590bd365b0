package io.sonde.spi;

import java.util.List;

/**
 * Sonde's own classes on a worker's stack, by name: for a plug-in that reads the stacks of a
 * worker from another JVM (the debugger, over JDI), where it sees class names, not classes. The
 * runtime owns these names, so a plug-in never spells out the runtime's internal packages.
 *
 * <p>The stack of a task parked at {@code Sonde.breakpoint()}:
 * <pre>
 *   top      the plug-in that parks the task (the debugger's)
 *            Sonde.breakpoint(), the worker's plug-in host        runtime
 *            the task's code                                      the user's
 *            the function's invoker, the task executor            runtime
 *   bottom   the executor thread's JDK frames
 * </pre>
 * Stateless.
 */
public final class RuntimeFrames {
    /** The package of the worker's task executor; a runtime test keeps it in step with the class. */
    static final String TASK_EXECUTOR_PACKAGE = "io.sonde.internal.worker.";

    /**
     * The runtime's classes as JDI class filter patterns (a prefix ending in {@code *}, or an
     * exact name): code that is never the user's. Of the public API, only the entry points
     * {@code Sonde} and {@code SondeCalls} are listed.
     */
    public static final List<String> PATTERNS = List.of(
            "io.sonde.internal.*", "io.sonde.proto.*", "io.sonde.tooling.*", "io.sonde.function.*",
            "io.sonde.spi.*", "io.sonde.Sonde", "io.sonde.SondeCalls");

    private RuntimeFrames() {
    }

    /**
     * Whether the class is part of the worker's task executor (the executor, its plug-in host, its
     * job class loader). An exception that only the executor catches is unhandled by the task: it
     * becomes the task's failure.
     */
    public static boolean isTaskExecutor(String className) {
        return className.startsWith(TASK_EXECUTOR_PACKAGE);
    }
}
