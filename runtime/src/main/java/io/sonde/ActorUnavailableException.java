package io.sonde;

/**
 * The actor is temporarily unreachable (it restarts) and the call could not wait for it: a call made
 * while an actor without {@code maxTaskRetries} restarts fails at once with this, as Ray's does. It
 * is an {@link ActorDiedException}: its instance died, though the actor lives on.
 */
public class ActorUnavailableException extends ActorDiedException {
    private static final long serialVersionUID = 1L;

    public ActorUnavailableException(String message) {
        super(message);
    }

    public ActorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
