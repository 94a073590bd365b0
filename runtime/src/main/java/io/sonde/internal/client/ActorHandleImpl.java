package io.sonde.internal.client;

import io.sonde.ActorHandle;

import java.util.Optional;

/**
 * The only ActorHandle implementation: the actor's id, class and name, and its anchor.
 *
 * <p>The anchor is a ref to an object the node keeps for a non-detached actor (its id is the
 * actor's): counted as ObjectRefs are (see {@link ObjectRefImpl}), it tells the node which
 * processes hold a handle. A handle serialized into a task's arguments or a value carries its
 * anchor, which the task or the value keeps alive, and a process that reads the handle borrows it.
 * When no process holds the anchor any more the node ends the actor, after its pending calls.
 * A handle without an anchor (a detached actor's) keeps nothing alive.
 */
public final class ActorHandleImpl<A> implements ActorHandle<A> {
    private static final long serialVersionUID = 2L;
    private final String actorId;
    private final String className;
    private final String name;
    /** Null for an actor that no handle keeps alive (a detached one). */
    private final ObjectRefImpl<Void> anchor;

    public ActorHandleImpl(String actorId, String className, String name) {
        this(actorId, className, name, null);
    }

    ActorHandleImpl(String actorId, String className, String name, ObjectRefImpl<Void> anchor) {
        this.actorId = actorId;
        this.className = className;
        this.name = name == null || name.isEmpty() ? null : name;
        this.anchor = anchor;
    }

    @Override
    public String actorId() {
        return actorId;
    }

    @Override
    public String className() {
        return className;
    }

    @Override
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    @Override
    public io.sonde.ObjectRef<Void> terminate() {
        return io.sonde.internal.SondeRuntime.client().terminateActor(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActorHandleImpl && ((ActorHandleImpl<?>) o).actorId.equals(actorId);
    }

    @Override
    public int hashCode() {
        return actorId.hashCode();
    }

    @Override
    public String toString() {
        return "ActorHandle(" + className + (name == null ? "" : ", name=" + name) + ", id=" + actorId + ")";
    }
}
