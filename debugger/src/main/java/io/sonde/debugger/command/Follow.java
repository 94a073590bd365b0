package io.sonde.debugger.command;

import io.sonde.debugger.proto.BreakpointInfo;

import java.util.function.Predicate;

/**
 * After {@code remote} or {@code get}: the console waits for the stop they lead to and attaches
 * to it, as {@code ray debug} does. The wait ends early when the task that was left stops again
 * first (the console attaches to that stop and says {@code before}), when it has ended without
 * the stop ({@code ended}, for {@code remote}), or on Ctrl-C.
 *
 * @param waiting what the console prints while it waits
 * @param match   the stop to attach to
 * @param left    the stop the task was left at: another stop of its task is followed too
 * @param before  what the task had not done yet when it stopped again, e.g. "before it submitted a task"
 * @param ended   what the console says when the task and its children have ended without the
 *                stop; null to wait the full time (a caller may call {@code get} long after its task ended)
 */
public record Follow(String waiting, Predicate<BreakpointInfo> match, BreakpointInfo left, String before,
                     String ended) {
    /** Another stop of the task that was left (not the one it was left at). */
    public boolean isStopAgain(BreakpointInfo b) {
        return b.getTaskId().equals(left.getTaskId()) && b.getTimeMs() != left.getTimeMs();
    }
}
