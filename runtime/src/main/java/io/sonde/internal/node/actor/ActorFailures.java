package io.sonde.internal.node.actor;

import io.sonde.ActorDiedException;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.proto.ObjectValue;
import io.sonde.internal.serialization.Serializer;

/**
 * The failures the node gives actor calls, worded as the user reads them: what happened to the
 * actor, and what to change. The node's other failures are in its {@code Failures}.
 */
public final class ActorFailures {
    private ActorFailures() {
    }

    static ObjectValue noSuchActor(TaskRecord t) {
        return Serializer.error(new ActorDiedException("the actor " + t.spec().getActorClass() + " (id="
                + t.spec().getActorId() + ") of " + t.describe() + " does not exist on this cluster: its job ended"
                + " or the handle comes from another cluster"));
    }

    static ObjectValue actorDiedWhileRunning(TaskRecord t, ActorRecord a, String detail, boolean restarting) {
        return Serializer.error(new ActorDiedException(
                t.describe() + " failed: the " + a.describe() + " died while running it: " + detail + "."
                        + (restarting ? " The actor is restarting; set maxTaskRetries to retry calls in flight." : "")));
    }

    static ObjectValue restarting(TaskRecord t, ActorRecord a) {
        return Serializer.error(new io.sonde.ActorUnavailableException(t.describe() + " failed at once: the "
                + a.describe() + " is restarting (" + (a.killRequested() ? "it was killed by Sonde.kill(actor, false)"
                : "its process died") + ") and calls to it have no retries (maxTaskRetries=0), so the call is not"
                + " queued for the new instance. Give the actor maxTaskRetries(n) (or -1) to have calls made"
                + " meanwhile wait for it, or call again once it is alive."));
    }

    static ObjectValue deadActor(ActorRecord a) {
        if (a.deathError() != null) {
            return a.deathError();
        }
        String cause = a.deathCause();
        // a restart helps only an actor whose process died: not one that never started, was killed or ended itself
        return Serializer.error(new ActorDiedException("The " + a.describe() + " is dead: " + cause
                + (cause.endsWith(".") ? "" : ".")
                + (a.maxRestarts() == 0 && a.lastPid() != 0 && !cause.contains("Sonde.kill") && !a.endedOnPurpose()
                ? " It had maxRestarts=0; give it maxRestarts(n) to have it restarted." : "")));
    }

    /**
     * The failure the calls of an actor whose owner is gone get; {@code owner} says who it was
     * ("its owner, task f (task_id=...) on worker w... (pid 123), died").
     */
    public static ObjectValue ownerDied(ActorRecord a, String owner) {
        return Serializer.error(new ActorDiedException("The " + a.describe() + " is dead: " + owner + ". An actor"
                + " ends with its owner, the task or driver that created it. Create it from the driver, or keep"
                + " its creating task running (get the results of the calls it makes) while the actor is in use."));
    }

    static ObjectValue constructorThrew(ActorRecord a, ObjectValue taskError) {
        Throwable cause = null;
        try {
            Object e = Serializer.decode(taskError.getData(), ActorFailures.class.getClassLoader());
            cause = e instanceof Throwable ? ((Throwable) e).getCause() : null;
        } catch (RuntimeException ignored) {
            // the user's exception class is not visible here; the message still says what failed
        }
        // the text the worker kept names the exception when its class is not visible here
        String thrown = cause != null ? ": " + cause : !taskError.hasRemoteError() ? ""
                : ": " + taskError.getRemoteError().getClassName() + (taskError.getRemoteError().getMessage().isEmpty()
                ? "" : ": " + taskError.getRemoteError().getMessage());
        String msg = "The " + a.describe() + " died because its constructor threw"
                + thrown + ". Fix the constructor; calls to this actor fail until a new one"
                + " is created.";
        ActorDiedException e = cause == null ? new ActorDiedException(msg) : new ActorDiedException(msg, cause);
        try {
            return Serializer.error(e);
        } catch (RuntimeException notSerializable) {
            return Serializer.error(new ActorDiedException(msg));
        }
    }
}
