package io.sonde;

/**
 * The actor is temporarily unreachable (for example while it restarts) and the call could not wait for it.
 */
public class ActorUnavailableException extends SondeException {
    private static final long serialVersionUID = 1L;

    public ActorUnavailableException(String message) {
        super(message);
    }

    public ActorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
