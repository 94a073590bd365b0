package io.sonde;

import java.io.Serializable;
import java.util.Optional;

/**
 * A handle to an actor: a stateful worker process created by {@link Sonde#actor}. Call its
 * methods with {@code handle.task(Counter::increment).remote()}; calls made through one handle
 * run in the order they were submitted.
 *
 * <p>Lifecycle: PENDING_CREATION → ALIVE → (RESTARTING → ALIVE)* → DEAD. A restart re-runs the
 * constructor in a new process (up to {@code maxRestarts}); calls made while the actor restarts
 * wait for it. Once DEAD every call fails with {@link ActorDiedException}.
 *
 * <p>Handles are serializable: pass them to tasks to share an actor.
 */
public interface ActorHandle<A> extends ActorCall<A>, Serializable {
    String actorId();

    /** The actor's class, as written in prefixes and errors ({@code Counter}). */
    String className();

    /** The name given with {@code .name("counter")}, if any. */
    Optional<String> name();
}
