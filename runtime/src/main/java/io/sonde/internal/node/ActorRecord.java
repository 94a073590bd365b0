package io.sonde.internal.node;

import io.sonde.internal.proto.ObjectValue;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;

/**
 * One actor. Guarded by the node manager's lock.
 * <pre>
 *   PENDING_CREATION ──constructor ok──▶ ALIVE ──process died, restarts left──▶ RESTARTING ──▶ ALIVE
 *         │                                │
 *         └──constructor threw──▶ DEAD ◀───┴──── killed, or no restarts left
 * </pre>
 * Calls wait in {@link #queue} until the actor is alive and their arguments are ready, then go
 * to the worker in order ({@link #inFlight}); the worker runs them one at a time.
 */
final class ActorRecord {
    enum State { PENDING_CREATION, ALIVE, RESTARTING, DEAD }

    final String actorId;
    final String className;
    final String name;
    final String jobId;
    final TaskRecord creation;
    final ArrayDeque<TaskRecord> queue = new ArrayDeque<>();
    final LinkedHashMap<String, TaskRecord> inFlight = new LinkedHashMap<>();
    State state = State.PENDING_CREATION;
    WorkerProcess worker;
    int restarts;
    boolean killRequested;
    boolean killNoRestart;
    String deathCause = "";
    ObjectValue deathError;
    long lastPid;

    ActorRecord(TaskRecord creation) {
        this.creation = creation;
        this.actorId = creation.spec.getActorId();
        this.className = creation.spec.getActorClass();
        this.name = creation.spec.getActorName();
        this.jobId = creation.spec.getJobId();
    }

    int maxRestarts() {
        return creation.spec.getMaxRestarts();
    }

    int maxTaskRetries() {
        return creation.spec.getMaxTaskRetries();
    }

    String describe() {
        return "actor " + className + (name.isEmpty() ? "" : " '" + name + "'") + " (id=" + actorId + ")";
    }
}
