package io.sonde.debugger.plugin;

import io.sonde.TaskCancelledException;
import io.sonde.debugger.proto.StopReason;
import io.sonde.spi.WorkerContext;

import java.util.concurrent.locks.LockSupport;

/**
 * Where a task waits at a breakpoint. A debugger attached over JDWP finds the thread in
 * {@link #park()}, shows the caller's frame, and lets the task go on by setting the local
 * {@code resume} to true (JVMTI deoptimizes the frame, so the loop sees the new value); a debugger
 * that detaches at the same time ({@code continue}) also sets {@code leaving}.
 *
 * <p>Only the task's thread waits; the worker's transport threads keep serving. Cancelling the
 * task interrupts the wait.
 */
public final class BreakpointPark {
    /** The method a debugger looks for; keep the name and the locals' names stable. */
    public static final String METHOD = "park";
    public static final String RESUME_LOCAL = "resume";
    public static final String LEAVING_LOCAL = "leaving";
    /** What the worker's own debug agent calls on the task's thread where a hook is hit. */
    public static final String HIT_METHOD = "hit";
    /** The name of the worker's thread that runs tasks; the worker's debug agent finds it by this name. */
    public static final String TASK_THREAD = WorkerContext.TASK_THREAD;
    /** A debugger reads this static field to check it reached the worker it meant to. */
    public static final String PID_FIELD = "WORKER_PID";
    @SuppressWarnings("unused")
    private static final long WORKER_PID = ProcessHandle.current().pid();
    /** A debugger reads this static field to find the parked threads without asking every thread its name. */
    public static final String PARKED_FIELD = "parked";
    /** The threads in {@link #park()} now, or about to be; replaced, never changed in place, so a debugger reads a consistent array. */
    private static volatile Thread[] parked = new Thread[0];

    private BreakpointPark() {
    }

    /** Loads the class, so that a debug agent finds {@link #hit} before the first park. */
    static void load() {
        // initializing the class is the point
    }

    /** Waits until a debugger sets {@code resume}; returns whether it detached as it did. */
    static boolean park() {
        boolean resume = false;
        boolean leaving = false;
        while (!resume) {
            try {
                LockSupport.parkNanos(20_000_000L);
                if (Thread.interrupted()) {
                    if (ExpressionHost.stopping) {
                        ExpressionHost.stopping = false; // the debugger's Ctrl-C of an evaluation, not a cancel
                        continue;
                    }
                    throw new TaskCancelledException("the task was cancelled while parked at a breakpoint");
                }
            } catch (IllegalStateException e) {
                if (e != ExpressionHost.INTERRUPTED) {
                    throw e;
                }
                // a debugger's Ctrl-C that reached the thread after its evaluation had ended
                ExpressionHost.stopping = false;
                Thread.interrupted();
            }
        }
        return leaving;
    }

    /**
     * Lists or unlists a thread in {@link #PARKED_FIELD}: listed before its stop is reported and
     * until it leaves the park (outside {@link #park()}, whose every line a debugger breaks on).
     */
    static synchronized void listParked(Thread t, boolean in) {
        java.util.List<Thread> now = new java.util.ArrayList<>(java.util.Arrays.asList(parked));
        if (in) {
            now.add(t);
        } else {
            now.remove(t);
        }
        parked = now.toArray(new Thread[0]);
    }

    /**
     * Called by the worker's debug agent on the task's thread, stopped by a JDI event at a line
     * breakpoint or a throw: the stack below is the user's, as it was at that event.
     *
     * @param reason {@code line}, {@code exception} or {@code post-mortem}
     * @param detail the exception ({@code class: message}) for the latter two
     */
    static void hit(String reason, String detail) {
        WorkerDebugger d = WorkerDebugger.current();
        if (d != null) {
            d.stopHere(StopReason.valueOf(reason.toUpperCase(java.util.Locale.ROOT).replace('-', '_')), detail);
        }
    }
}
