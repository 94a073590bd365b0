package io.sonde;

/**
 * Application failure: the task's or actor method's own code threw. {@link #getCause()} is the user's exception, with its original class and the stack trace it had on the worker; the message starts with where it ran, e.g. {@code task square (pid=1234, node=...)}.
 *
 * <p>When the caller cannot deserialize the user's exception (its class exists only on the
 * worker, or its {@code readObject} throws), the message also holds that exception's class,
 * message and stack trace as text, and why it could not be rebuilt; {@link #getCause()} is then
 * that reason (a {@link ClassNotFoundException}, or what {@code readObject} threw).
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
