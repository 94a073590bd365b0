package io.sonde;

/**
 * {@code Sonde.get} with a timeout expired before the object was ready. The object may still become ready later.
 */
public class GetTimeoutException extends SondeException {
    private static final long serialVersionUID = 1L;

    public GetTimeoutException(String message) {
        super(message);
    }

    public GetTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
