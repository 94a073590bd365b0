package io.sonde.debugger.plugin;

/**
 * Requests a debugger leaves in a worker for the debugger plug-in to act on later; it sets these fields
 * over JDWP (they are read by name, so keep the names). Only the task's thread reads them.
 * <ul>
 *   <li>{@code breakNextSubmit}, set by the debugger's {@code remote} to the id of the parked task:
 *       the next task that task submits stops at the first line of its function, in whichever
 *       worker runs it. Another task of the worker (the next one, once this one ended without
 *       submitting) does not take it.</li>
 *   <li>{@code breakOnGetOf}, set by the debugger's {@code get}: the id of the running task whose
 *       caller stops right after its {@code get} of this task's result returns.</li>
 * </ul>
 */
public final class DebugMarks {
    public static final String BREAK_NEXT_SUBMIT = "breakNextSubmit";
    public static final String BREAK_ON_GET_OF = "breakOnGetOf";

    static volatile String breakNextSubmit = "";
    static volatile String breakOnGetOf = "";

    private DebugMarks() {
    }

    /** Whether the task that {@code submitterId} submits now is the one `remote` waits for (the mark is used up). */
    static boolean takeBreakNextSubmit(String submitterId) {
        if (submitterId.isEmpty() || !submitterId.equals(breakNextSubmit)) {
            return false;
        }
        breakNextSubmit = "";
        return true;
    }

    /** Whether the result of {@code taskId} should stop its caller (the mark is used up). */
    static boolean takeBreakOnGet(String taskId) {
        if (taskId.isEmpty() || !taskId.equals(breakOnGetOf)) {
            return false;
        }
        breakOnGetOf = "";
        return true;
    }

    /** Loads the class in the worker, so that a debugger finds its fields before first use. */
    static void load() {
        // nothing to do: calling this initializes the class
    }
}
