package io.sonde.internal.client;

import io.sonde.ObjectRef;
import io.sonde.proto.CancelledTask;

/**
 * What a driver says about a task that a cancel did not stop ({@link CancelledTask.Outcome#STILL_RUNNING}):
 * that it still runs, why that happens, and what ends it. The shell says the same with its own
 * way to force (a second Ctrl-C).
 */
public final class CancelTexts {
    private CancelTexts() {
    }

    /** As {@code Sonde.cancel} prints it: the program forces with {@code Sonde.cancel(ref, true, true)}. */
    static String stillRunning(CancelledTask t, ObjectRef<?> ref) {
        return stillRunning(t, "Sonde.cancel(ref, true, true) (force)");
    }

    /**
     * @param force how this caller forces a cancel, e.g. "Ctrl-C again"
     */
    public static String stillRunning(CancelledTask t, String force) {
        String where = "task " + t.getName() + " (" + t.getTaskId() + ") on worker pid=" + t.getPid();
        if (t.getForced()) {
            return where + " still running: its worker was killed but has not exited yet; it frees its CPUs when"
                    + " it does (see `sonde list workers`).";
        }
        String why = " still running: it ignores interrupts (a loop that never checks Thread.interrupted(), or a call"
                + " blocked in native code such as a read of a pipe or socket)";
        if (t.getActorCall()) {
            return where + why + ". An actor call cannot be forced, its worker hosts the actor: Sonde.kill(actor)"
                    + " ends it.";
        }
        return where + why + "; " + force + " kills its worker. Until then the worker stays BUSY and holds the"
                + " task's CPUs.";
    }
}
