package io.sonde;

/**
 * Unintended failure: the worker process died while running the task and no retries were left. The message gives the exit code or signal, the likely causes and the worker's log file.
 */
public class WorkerCrashedException extends SondeException {
    private static final long serialVersionUID = 1L;

    public WorkerCrashedException(String message) {
        super(message);
    }

    public WorkerCrashedException(String message, Throwable cause) {
        super(message, cause);
    }
}
