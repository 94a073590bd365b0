package io.sonde.internal.client;

import io.sonde.ActorHandle;

import java.util.Optional;

/** The only ActorHandle implementation: the actor's id, class and name. */
public final class ActorHandleImpl<A> implements ActorHandle<A> {
    private static final long serialVersionUID = 1L;
    private final String actorId;
    private final String className;
    private final String name;

    public ActorHandleImpl(String actorId, String className, String name) {
        this.actorId = actorId;
        this.className = className;
        this.name = name == null || name.isEmpty() ? null : name;
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
