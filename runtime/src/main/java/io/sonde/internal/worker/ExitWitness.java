package io.sonde.internal.worker;

import io.sonde.internal.logs.ExitReport;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Tells the node why this worker JVM goes, on stderr, before it goes: the node reads these lines
 * (prefixed {@link ExitReport#PREFIX}) from the worker's stderr when the process has exited
 * and words the failure of the task that was running from them.
 *
 * <pre>
 *   System.exit(n) / SIGTERM ──shutdown hook──▶ "exit call": the calling thread, the running task, its stack
 *   the node's stream broke ───────────────────▶ "connection lost": the status, the last result sent
 *   Runtime.halt, SIGKILL, a JVM crash ─────────▶ nothing: no Java code runs (the node tells those apart)
 * </pre>
 *
 * <p>A shutdown hook is the one place a {@code System.exit} can be seen without a security
 * manager: the thread that called it waits in {@code Shutdown.exit} while the hooks run, so its
 * stack still shows where the call came from. Thread-safe: the hook and {@link #connectionLost}
 * each write their lines in one piece.
 */
final class ExitWitness {
    /** Frames of the calling thread that make it to the report. */
    private static final int MAX_FRAMES = 12;

    private final Supplier<String> runningTask;
    private final PrintStream err;

    /** @param runningTask what the worker runs now, as a failure names it ("" when idle) */
    ExitWitness(Supplier<String> runningTask, PrintStream err) {
        this.runningTask = runningTask;
        this.err = err;
    }

    /** Installs the shutdown hook: from now on a {@code System.exit} is reported. */
    void install() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::exitCalled, "sonde-exit-witness"));
    }

    /** The JVM shuts down through its hooks: {@code System.exit}, {@code Runtime.exit} or SIGTERM/SIGHUP. */
    void exitCalled() {
        List<String> lines = new ArrayList<>();
        lines.add(ExitReport.KIND + ExitReport.EXIT_CALL);
        task(lines);
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            List<StackTraceElement> caller = callerOfExit(e.getValue());
            if (caller != null) {
                lines.add(ExitReport.THREAD + e.getKey().getName());
                caller.stream().limit(MAX_FRAMES).forEach(f -> lines.add(ExitReport.AT + frame(f)));
                break;
            }
        }
        write(lines);
    }

    /**
     * The worker's stream to the node broke: it exits now, with code 0.
     *
     * @param status     how the stream ended, as gRPC says it
     * @param lastResult the last task result sent, "TASK_ID ATTEMPT BYTES", or "" when none
     */
    void connectionLost(String status, String lastResult) {
        List<String> lines = new ArrayList<>();
        lines.add(ExitReport.KIND + ExitReport.CONNECTION_LOST);
        task(lines);
        lines.add(ExitReport.STATUS + status.replace('\n', ' '));
        if (!lastResult.isEmpty()) {
            lines.add(ExitReport.LAST_RESULT + lastResult);
        }
        write(lines);
    }

    private void task(List<String> lines) {
        String task = runningTask.get();
        if (!task.isEmpty()) {
            lines.add(ExitReport.TASK + task);
        }
    }

    private void write(List<String> lines) {
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append(ExitReport.PREFIX).append(l).append(System.lineSeparator()));
        err.print(b);
        err.flush();
    }

    /** "com.example.Job.run(Job.java:12)": without the loader and module a stack trace prints. */
    private static String frame(StackTraceElement f) {
        return f.getClassName() + "." + f.getMethodName() + "(" + (f.isNativeMethod() ? "Native Method"
                : f.getFileName() == null ? "Unknown Source"
                : f.getLineNumber() >= 0 ? f.getFileName() + ":" + f.getLineNumber() : f.getFileName()) + ")";
    }

    /**
     * The frames under {@code Shutdown.exit}'s callers in the JDK, from the call that ended the
     * JVM down to where Sonde called the task (its own frames and the lambdas' glue left out);
     * null when the thread is not ending it.
     */
    static List<StackTraceElement> callerOfExit(StackTraceElement[] stack) {
        int exit = -1;
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getClassName().equals("java.lang.Shutdown") && stack[i].getMethodName().equals("exit")) {
                exit = i;
                break;
            }
        }
        if (exit < 0) {
            return null;
        }
        int first = exit + 1;
        // skip Runtime.exit and System.exit: the report starts at the frame that called them
        while (first < stack.length && isExitFrame(stack[first])) {
            first++;
        }
        List<StackTraceElement> caller = new ArrayList<>();
        for (int i = first; i < stack.length; i++) {
            String c = stack[i].getClassName();
            if (c.startsWith("io.sonde.function.") || c.startsWith("io.sonde.internal.")) {
                break; // the task's code ends where Sonde called it
            }
            if (!c.contains("$$Lambda")) {
                caller.add(stack[i]);
            }
        }
        return caller;
    }

    private static boolean isExitFrame(StackTraceElement f) {
        return (f.getClassName().equals("java.lang.Runtime") || f.getClassName().equals("java.lang.System"))
                && f.getMethodName().equals("exit");
    }
}
