package io.sonde.internal.worker;

import io.sonde.TaskCancelledException;

import java.util.concurrent.locks.LockSupport;

/**
 * Where a task waits at a breakpoint. A debugger attached over JDWP finds the thread in
 * {@link #park()}, shows the caller's frame, and lets the task go on by setting the local
 * {@code resume} to true (JVMTI deoptimizes the frame, so the loop sees the new value).
 *
 * <p>Only the task's thread waits; the worker's transport threads keep serving. Cancelling the
 * task interrupts the wait.
 */
public final class BreakpointPark {
    /** The method a debugger looks for; keep the name and the local's name stable. */
    public static final String METHOD = "park";
    public static final String RESUME_LOCAL = "resume";
    /** A debugger reads this static field to check it reached the worker it meant to (ports get reused). */
    public static final String PID_FIELD = "WORKER_PID";
    @SuppressWarnings("unused")
    private static final long WORKER_PID = ProcessHandle.current().pid();

    private BreakpointPark() {
    }

    static void park() {
        boolean resume = false;
        while (!resume) {
            LockSupport.parkNanos(20_000_000L);
            if (Thread.interrupted()) {
                throw new TaskCancelledException("the task was cancelled while parked at a breakpoint");
            }
        }
    }
}
