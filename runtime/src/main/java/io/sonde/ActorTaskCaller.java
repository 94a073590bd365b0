package io.sonde;

import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.CallOptions;

import java.util.Objects;

/**
 * A call of an actor method about to be submitted.
 * <pre>{@code ObjectRef<Integer> n = counter.task(Counter::increment).remote();}</pre>
 */
public final class ActorTaskCaller<R> {
    private final ActorHandle<?> actor;
    private final Object method;
    private final Object[] args;
    private final CallOptions options = new CallOptions();

    ActorTaskCaller(ActorCall<?> actor, Object method, Object[] args) {
        if (!(actor instanceof ActorHandle)) {
            throw new IllegalArgumentException("actor calls need an ActorHandle from Sonde.actor(...).remote()");
        }
        this.actor = (ActorHandle<?>) actor;
        this.method = Objects.requireNonNull(method, "actor method");
        this.args = args;
    }

    /** The name shown in print prefixes and errors (the method's name by default). */
    public ActorTaskCaller<R> name(String name) {
        options.name = Options.name(name);
        return this;
    }

    /** Submits the call; calls through one handle run in submission order. */
    public ObjectRef<R> remote() {
        return SondeRuntime.client().callActor(actor, method, args, options);
    }
}
