package io.sonde.internal.node.worker;

import io.sonde.internal.logs.ExitReport;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a worker's process ended, told apart from what the process and the worker left behind:
 * its exit code (128 + n for signal n), what it said on stderr before it went
 * ({@link ExitReport}), and whether its JVM wrote a fatal error log.
 *
 * <pre>
 *   the worker reported a System.exit call ─────────────────▶ EXIT_CALL (who called it, from where)
 *   its JVM wrote a fatal error log (hs_err) ────────────────▶ CRASHED (the log named)
 *   it reported that its stream to the node broke ──────────▶ CONNECTION_LOST (it exits with 0)
 *   signal 9 ───────────────────────────────────────────────▶ KILLED (the OOM killer, or kill -9)
 *   SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, no log ────────▶ CRASHED (no log to name)
 *   another signal ─────────────────────────────────────────▶ SIGNALLED
 *   an exit code and no report: no shutdown hook ran ───────▶ HALTED (Runtime.halt, native exit)
 * </pre>
 *
 * @param exitCode the process's exit code
 * @param report   what the worker said before it went, if anything
 * @param crashLog its JVM's fatal error log, when it wrote one
 * @param errTail  the last lines of its stderr, joined, or "" when not read
 * @param kernelOom the kernel log's line on killing it for memory, when it was killed by signal 9
 *                 and the node can read that log
 */
public record WorkerExit(int exitCode, Optional<ExitReport> report, Optional<Path> crashLog, String errTail,
                         Optional<String> kernelOom) {
    /** Signals after which a JVM is said to have crashed rather than to have been stopped. */
    private static final List<Integer> CRASH_SIGNALS = List.of(4, 6, 7, 8, 11);
    private static final int TAIL_BYTES = 4096;
    private static final int TAIL_LINES = 5;

    public enum Cause { EXIT_CALL, CRASHED, CONNECTION_LOST, KILLED, SIGNALLED, HALTED }

    /**
     * Reads what the worker left behind. Call once its exit completed and after
     * {@link WorkerHandle#awaitOutput()}; reads files, so never under the node's lock.
     * {@code mayBeTheKernels}: nothing of Sonde stopped it (no cancel, kill, memory monitor or
     * shutdown), so a SIGKILL may be the kernel's OOM killer, and the kernel log is read for it.
     */
    public static WorkerExit of(WorkerHandle h, int exitCode, boolean mayBeTheKernels) {
        Optional<ExitReport> report = h.exitReport();
        Optional<Path> crashLog = h.crashLog().filter(Files::isRegularFile);
        boolean sigkill = mayBeTheKernels && exitCode == 128 + 9 && crashLog.isEmpty();
        return new WorkerExit(exitCode, report, crashLog, tail(h.errLog()),
                sigkill ? KernelLog.oomKillOf(h.pid()) : Optional.empty());
    }

    /** An exit known only by its code (a test's fake worker). */
    public static WorkerExit ofCode(int exitCode) {
        return new WorkerExit(exitCode, Optional.empty(), Optional.empty(), "", Optional.empty());
    }

    /** The signal that ended the process, or 0. */
    public int signal() {
        return exitCode > 128 && exitCode < 128 + 65 ? exitCode - 128 : 0;
    }

    public Cause cause() {
        if (report.isPresent() && report.get().exitCall() && !report.get().bySignal()) {
            return Cause.EXIT_CALL;
        }
        if (crashLog.isPresent()) {
            return Cause.CRASHED;
        }
        if (report.isPresent() && report.get().connectionLost()) {
            return Cause.CONNECTION_LOST;
        }
        int signal = signal();
        if (signal == 9) {
            return Cause.KILLED;
        }
        if (CRASH_SIGNALS.contains(signal)) {
            return Cause.CRASHED;
        }
        if (signal != 0 || report.isPresent()) {
            return Cause.SIGNALLED;
        }
        return Cause.HALTED;
    }

    /** "exit code 137 (killed by signal 9, SIGKILL)": the exit in a few words, for a task's attempts. */
    public String brief() {
        return ExitDetail.describe(exitCode);
    }

    /** The last lines of a log file, joined with " | "; reads at most its last few KB. */
    static String tail(Path file) {
        if (!Files.exists(file)) {
            return "(none)";
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, f.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(bytes);
            List<String> lines = Arrays.stream(new String(bytes, StandardCharsets.UTF_8).split("\\R"))
                    .filter(l -> !l.isBlank() && !l.startsWith(ExitReport.PREFIX)
                            && !l.startsWith(io.sonde.internal.logs.LogLine.TASK_MARKER))
                    .toList();
            if (from > 0 && !lines.isEmpty()) {
                lines = lines.subList(1, lines.size()); // the first may be cut
            }
            String joined = String.join(" | ", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
            return joined.isEmpty() ? "(empty)" : joined;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
