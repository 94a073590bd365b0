package io.sonde;

import java.io.Serializable;
import java.util.Optional;

/**
 * A handle to an actor: a stateful worker process created by {@link Sonde#actor}. Call its
 * methods with {@code handle.task(Counter::increment).remote()}; calls made through one handle
 * run in the order they were submitted, one at a time, unless the actor was created with
 * {@link ActorCreator#maxConcurrency maxConcurrency(n)}, n > 1: then up to n run at once, in any order.
 *
 * <p>Lifecycle: PENDING_CREATION → ALIVE → (RESTARTING → ALIVE)* → DEAD. A restart re-runs the
 * constructor in a new process (up to {@code maxRestarts}); calls made while the actor restarts
 * wait for it when it has {@code maxTaskRetries}, else fail at once with
 * {@link ActorUnavailableException}. Once DEAD every call fails with {@link ActorDiedException}.
 *
 * <p>Ending it: {@link #terminate()} after the calls already submitted, {@link Sonde#exitActor()}
 * from inside one of its methods, {@link Sonde#kill} at once. The first two run the actor's
 * {@code close()} when its class implements {@link AutoCloseable}; a kill or a crash does not.
 * A non-detached actor (the default, see {@link ActorLifetime}) also ends, closed as by
 * {@code terminate()}, once no process holds a handle to it and none of its calls is pending, and
 * when its driver exits; a {@link ActorLifetime#DETACHED detached} one outlives both.
 *
 * <p>Handles are serializable: pass them to tasks to share an actor. Each handle counts as one of
 * the actor's while it lives: in a variable, in a pending call's arguments, in a value, or in a
 * worker that read it. A process gives its handles up when its garbage collector finds them
 * unreachable.
 */
public interface ActorHandle<A> extends ActorCall<A>, Serializable {
    String actorId();

    /** The actor's class, as written in prefixes and errors ({@code Counter}). */
    String className();

    /** The name given with {@code .name("counter")}, if any. */
    Optional<String> name();

    /**
     * Ends the actor gracefully, as Ray's {@code __ray_terminate__}: the calls submitted before
     * this one run first, then the actor's {@code close()} (when its class implements
     * {@link AutoCloseable}), then its process exits. It is not restarted. Calls submitted after
     * this one fail with {@link ActorDiedException} saying it was terminated; {@link Sonde#kill}
     * stays the way to end it at once.
     *
     * @return a ref whose {@code get} returns null once the actor has ended (its {@code close()}
     * included), or throws {@link ActorDiedException} when it died before it got there
     */
    ObjectRef<Void> terminate();
}
