package io.sonde;

/**
 * The object's value is gone (its node or owner died) and it cannot be rebuilt.
 */
public class ObjectLostException extends SondeException {
    private static final long serialVersionUID = 1L;

    public ObjectLostException(String message) {
        super(message);
    }

    public ObjectLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
