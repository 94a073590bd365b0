package io.sonde.internal.serialization;

import io.sonde.SondeException;

/** A value could not be turned into bytes or back; the message names the type and the fix. */
public final class SerializationException extends SondeException {
    private static final long serialVersionUID = 1L;

    public SerializationException(String message) {
        super(message);
    }

    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
