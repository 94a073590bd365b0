package io.sonde;

/**
 * The task was killed because its node was running low on memory.
 */
public class OutOfMemoryException extends SondeException {
    private static final long serialVersionUID = 1L;

    public OutOfMemoryException(String message) {
        super(message);
    }

    public OutOfMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
