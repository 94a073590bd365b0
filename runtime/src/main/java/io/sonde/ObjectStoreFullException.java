package io.sonde;

/**
 * The object store has no room for the object, even after spilling to disk.
 */
public class ObjectStoreFullException extends SondeException {
    private static final long serialVersionUID = 1L;

    public ObjectStoreFullException(String message) {
        super(message);
    }

    public ObjectStoreFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
