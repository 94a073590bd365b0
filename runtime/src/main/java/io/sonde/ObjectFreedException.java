package io.sonde;

/**
 * The object was freed with {@link Sonde#free} before this read: its value is gone on purpose. The
 * message says who freed it and from where.
 */
public class ObjectFreedException extends ObjectLostException {
    private static final long serialVersionUID = 1L;

    public ObjectFreedException(String message) {
        super(message);
    }
}
