package io.sonde;

/**
 * The node that ran the task died.
 */
public class NodeDiedException extends SondeException {
    private static final long serialVersionUID = 1L;

    public NodeDiedException(String message) {
        super(message);
    }

    public NodeDiedException(String message, Throwable cause) {
        super(message, cause);
    }
}
