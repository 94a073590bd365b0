package io.sonde;

/**
 * Intentional failure: {@code Sonde.cancel} stopped the task before it produced a value. Cancelled tasks are never retried.
 */
public class TaskCancelledException extends SondeException {
    private static final long serialVersionUID = 1L;

    public TaskCancelledException(String message) {
        super(message);
    }

    public TaskCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
