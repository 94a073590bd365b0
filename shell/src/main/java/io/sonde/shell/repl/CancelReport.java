package io.sonde.shell.repl;

import io.sonde.proto.CancelOutcome;
import io.sonde.proto.CancelledTask;
import io.sonde.tooling.DriverClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a cancel from the shell (Ctrl-C, {@code /cancel}) did to the tasks it reached, as the node
 * told it: only tasks that did end are called cancelled; a task that ignores interrupts is said to
 * still run, with what ends it. A value: made once the node's answers came (or did not come in
 * time), read on any thread.
 *
 * @param tasks     each task the cancels reached, once, as the last answer about it says
 * @param unanswered how many cancels the node did not answer in time (the session ended, or it is slow)
 */
public record CancelReport(List<CancelledTask> tasks, int unanswered) {
    /** Nothing was cancelled: the snippet had started no tasks. */
    public static final CancelReport NONE = new CancelReport(List.of(), 0);

    /**
     * Waits for the node's answers, at most {@code timeout} in all (the node answers within about
     * a second, five for a forced cancel).
     */
    public static CancelReport await(List<CompletableFuture<CancelOutcome>> outcomes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, CancelledTask> byTask = new LinkedHashMap<>();
        int unanswered = 0;
        for (CompletableFuture<CancelOutcome> f : outcomes) {
            try {
                CancelOutcome o = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                o.getTasksList().forEach(t -> byTask.put(t.getTaskId(), t));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unanswered++;
            } catch (ExecutionException | TimeoutException e) {
                unanswered++;
            }
        }
        return new CancelReport(List.copyOf(byTask.values()), unanswered);
    }

    /** The tasks that ended: they never started, stopped on the interrupt, or their worker was killed. */
    public int ended() {
        return (int) tasks.stream().filter(t -> t.getOutcome() != CancelledTask.Outcome.STILL_RUNNING).count();
    }

    public List<CancelledTask> stillRunning() {
        return tasks.stream().filter(t -> t.getOutcome() == CancelledTask.Outcome.STILL_RUNNING).toList();
    }

    /**
     * What to print, a line each, without the shell's {@code |} prefix.
     *
     * @param force how the person forces now, e.g. "Ctrl-C again"
     */
    public List<String> lines(String force) {
        List<String> lines = new ArrayList<>();
        int ended = ended();
        List<String> killed = tasks.stream().filter(t -> t.getOutcome() == CancelledTask.Outcome.KILLED)
                .map(t -> "task " + t.getName() + " (pid " + t.getPid() + ")").toList();
        if (!killed.isEmpty()) {
            lines.add("killed the worker of " + String.join(", ", killed) + ": its CPUs are free again");
        }
        if (ended > killed.size()) {
            int n = ended - killed.size();
            lines.add("cancelled " + n + " task" + (n == 1 ? "" : "s"));
        }
        for (CancelledTask t : stillRunning()) {
            lines.add(DriverClient.stillRunning(t, force));
        }
        if (unanswered > 0) {
            lines.add("the node did not say what became of " + unanswered + " of the tasks cancelled; `sonde list"
                    + " tasks` and `sonde list workers` show whether they still run");
        }
        return lines;
    }
}
