package io.sonde.internal.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a worker said on its stderr about why it exits, just before it did: lines that start
 * with {@link #PREFIX}, written by the worker's exit witness and read back by the node's log
 * pump, which keeps them in the log file and out of the relayed output. A worker that is killed,
 * halts or crashes says nothing: then there is no report.
 *
 * <pre>
 *   :sonde_exit:kind exit-call            (System.exit, Runtime.exit, SIGTERM: the hooks ran)
 *   :sonde_exit:task task crash (task_id=..., attempt 0)
 *   :sonde_exit:thread sonde-task
 *   :sonde_exit:at com.example.Job.lambda$main$0(Job.java:12)
 *   ...
 *   :sonde_exit:kind connection-lost      (the node's stream broke: the worker exits with 0)
 *   :sonde_exit:status UNAVAILABLE: ...
 *   :sonde_exit:last-result TASK_ID ATTEMPT BYTES
 * </pre>
 *
 * @param kind       {@link #EXIT_CALL} or {@link #CONNECTION_LOST}
 * @param task       the task the worker ran then, as failures name it, or ""
 * @param thread     the thread that called exit, or ""
 * @param frames     where it called it from, the calling frame first
 * @param status     how the stream to the node ended, or ""
 * @param lastResult the last result the worker sent: "TASK_ID ATTEMPT BYTES", or ""
 */
public record ExitReport(String kind, String task, String thread, List<String> frames, String status,
                         String lastResult) {
    public static final String PREFIX = ":sonde_exit:";
    public static final String KIND = "kind ";
    public static final String TASK = "task ";
    public static final String THREAD = "thread ";
    public static final String AT = "at ";
    public static final String STATUS = "status ";
    public static final String LAST_RESULT = "last-result ";
    public static final String EXIT_CALL = "exit-call";
    public static final String CONNECTION_LOST = "connection-lost";

    public ExitReport {
        frames = List.copyOf(frames);
    }

    /** The report in these lines (each still with its prefix), if they hold one. */
    public static Optional<ExitReport> parse(List<String> lines) {
        String kind = "";
        String task = "";
        String thread = "";
        String status = "";
        String lastResult = "";
        List<String> frames = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith(PREFIX)) {
                continue;
            }
            String l = line.substring(PREFIX.length());
            if (l.startsWith(KIND)) {
                kind = l.substring(KIND.length());
            } else if (l.startsWith(TASK)) {
                task = l.substring(TASK.length());
            } else if (l.startsWith(THREAD)) {
                thread = l.substring(THREAD.length());
            } else if (l.startsWith(AT)) {
                frames.add(l.substring(AT.length()));
            } else if (l.startsWith(STATUS)) {
                status = l.substring(STATUS.length());
            } else if (l.startsWith(LAST_RESULT)) {
                lastResult = l.substring(LAST_RESULT.length());
            }
        }
        return kind.isEmpty() ? Optional.empty()
                : Optional.of(new ExitReport(kind, task, thread, frames, status, lastResult));
    }

    public boolean exitCall() {
        return EXIT_CALL.equals(kind);
    }

    public boolean connectionLost() {
        return CONNECTION_LOST.equals(kind);
    }

    /** Whether the JVM's exit came from a signal's handler (SIGTERM, SIGHUP), not from code that called exit. */
    public boolean bySignal() {
        return frames.stream().anyMatch(f -> f.startsWith("java.lang.Terminator") || f.startsWith("jdk.internal.misc.Signal"));
    }

    /** The size of the last result sent, in bytes, when it was the result of that attempt of that task. */
    public Optional<Long> lastResultBytes(String taskId, int attempt) {
        String[] parts = lastResult.split(" ");
        if (parts.length == 3 && parts[0].equals(taskId) && parts[1].equals(Integer.toString(attempt))) {
            try {
                return Optional.of(Long.parseLong(parts[2]));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
