package io.sonde.internal.worker;

import io.sonde.internal.proto.DebugHooks;

/**
 * A worker's own debugger: applies the breakpoints set from {@code sonde debug} ({@code break},
 * {@code catch}) and the job's post-mortem mode by attaching over JDWP to this very JVM, and
 * stops the task's thread where one is hit by calling {@link BreakpointPark#hit} on it.
 *
 * <p>The JDWP agent accepts one debugger at a time: the agent lets go of its connection while the
 * task is parked (so that {@code sonde debug} can attach), and takes it again afterwards.
 * Implemented by the {@code debugger} module, found with {@link java.util.ServiceLoader}.
 */
public interface DebugAgent {
    /** Applies the whole set of hooks (an empty set: detach). Called on the worker's debug thread. */
    void apply(DebugHooks hooks);

    /** The task's thread is about to park at a breakpoint: free the JDWP agent for a debugger. */
    void release();

    /**
     * The task's thread left its park. {@code debuggerLeft}: the debugger that resumed it has
     * detached ({@code continue}), so the agent can be taken back before the task goes on; else a
     * debugger still steps the thread, and the agent is taken back once it detaches.
     */
    void rearm(boolean debuggerLeft);

    /** Stops watching; the worker is exiting. */
    void close();

    /** Whether there is nothing to watch: no line, no exception class, no post-mortem. */
    static boolean isEmpty(DebugHooks hooks) {
        return hooks.getLinesCount() == 0 && hooks.getCatchesCount() == 0 && !hooks.getPostMortem();
    }
}
