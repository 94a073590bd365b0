package io.sonde.internal.node.actor;

import io.sonde.ActorDiedException;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.proto.ObjectValue;
import io.sonde.internal.serialization.Serializer;

/**
 * The failures the node gives actor calls, worded as the user reads them: what happened to the
 * actor, and what to change. The node's other failures are in its {@code Failures}.
 */
final class ActorFailures {
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

    static ObjectValue deadActor(ActorRecord a) {
        if (a.deathError() != null) {
            return a.deathError();
        }
        return Serializer.error(new ActorDiedException("The " + a.describe() + " is dead: " + a.deathCause() + "."
                + (a.maxRestarts() == 0 && !a.deathCause().contains("Sonde.kill")
                ? " It had maxRestarts=0; give it maxRestarts(n) to have it restarted." : "")));
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
