package io.sonde;

/**
 * The actor cannot serve calls any more: its constructor failed (the cause is attached), its process died and no restarts were left, or it was killed with {@code Sonde.kill}.
 */
public class ActorDiedException extends SondeException {
    private static final long serialVersionUID = 1L;

    public ActorDiedException(String message) {
        super(message);
    }

    public ActorDiedException(String message, Throwable cause) {
        super(message, cause);
    }
}
