package io.sonde;

/**
 * How long an actor lives, as Ray's {@code lifetime} option: set with
 * {@link ActorCreator#lifetime(ActorLifetime)}.
 */
public enum ActorLifetime {
    /**
     * The default: the actor belongs to the job that created it. It ends when no process holds a
     * handle to it any more and none of its calls is pending (its {@code close()} runs, as for
     * {@link ActorHandle#terminate()}), or when its driver exits (its {@code close()} runs, within
     * a few seconds), or by {@code terminate()}, {@link Sonde#exitActor()} or {@link Sonde#kill}.
     */
    NON_DETACHED,
    /**
     * The actor outlives its driver and its handles: it ends only by {@code terminate()},
     * {@link Sonde#exitActor()}, {@link Sonde#kill}, or the node stopping. Other jobs reach it by
     * name with {@link Sonde#getActor(String, String)}; it must be named.
     */
    DETACHED
}
