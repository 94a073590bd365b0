package io.sonde;

/**
 * Application failure: the task's or actor method's own code threw. {@link #getCause()} is the user's exception, with its original class and the stack trace it had on the worker; the message starts with where it ran, e.g. {@code task square (pid=1234, node=...)}.
 */
public class TaskException extends SondeException {
    private static final long serialVersionUID = 1L;

    public TaskException(String message) {
        super(message);
    }

    public TaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
