package io.sonde.internal.node.actor;

import io.sonde.internal.node.task.TaskRecord;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.ObjectValue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One actor.
 * <pre>
 *   PENDING_CREATION ──constructor ok──▶ ALIVE ──process died, restarts left──▶ RESTARTING ──▶ ALIVE
 *         │                                │
 *         └──constructor threw──▶ DEAD ◀───┴──── killed, or no restarts left
 * </pre>
 * In PENDING_CREATION (and RESTARTING) the actor waits for its constructor's arguments, then for
 * its resources in the scheduler's queue, then for its worker. Calls wait in the queue until the
 * actor is alive and their arguments are ready, then go to the worker in order (in flight); the
 * worker starts them in that order, at most {@link #maxConcurrency()} at once, each once the node
 * has every result not journaled, so the calls that may be running are among the
 * {@link #maxConcurrency()} oldest in flight (the oldest, for an actor that runs one at a time).
 *
 * <p>Not thread-safe: guarded by the node manager's lock.
 */
public final class ActorRecord {
    public enum State {
        PENDING_CREATION, ALIVE, RESTARTING, DEAD;

        /** As {@code sonde list} gets it. */
        public ActorInfo.State toProto() {
            return switch (this) {
                case PENDING_CREATION -> ActorInfo.State.PENDING_CREATION;
                case ALIVE -> ActorInfo.State.ALIVE;
                case RESTARTING -> ActorInfo.State.RESTARTING;
                case DEAD -> ActorInfo.State.DEAD;
            };
        }
    }

    private final String actorId;
    private final String className;
    private final String name;
    private final String jobId;
    private final TaskRecord creation;
    private final ArrayDeque<TaskRecord> queue = new ArrayDeque<>();
    private final LinkedHashMap<String, TaskRecord> inFlight = new LinkedHashMap<>();
    private State state = State.PENDING_CREATION;
    /** The worker hosting the actor now; empty while none does. */
    private String workerId = "";
    private int restarts;
    private boolean killRequested;
    private boolean killNoRestart;
    private String deathCause = "";
    /** It ended on purpose (Sonde.exitActor, terminate): no restart was due, and none is hinted at. */
    private boolean endedOnPurpose;
    private ObjectValue deathError;
    private long lastPid;
    private final String namespace;
    /** No process holds a handle any more: it ends once no call is pending. */
    private boolean outOfScope;
    /**
     * Set once the node ended the actor itself (its last handle went, its driver exited): why, as
     * the terminate it sent says it; null otherwise.
     */
    private String endCause;
    /** The id of the terminate the node sent itself; empty when none. */
    private String endCallId = "";
    /** Its class implements AutoCloseable (told by its worker once the constructor ran). */
    private boolean closeable;

    /** @param namespace the namespace its name is unique in */
    public ActorRecord(TaskRecord creation, String namespace) {
        this.creation = creation;
        this.actorId = creation.spec().getActorId();
        this.className = creation.spec().getActorClass();
        this.name = creation.spec().getActorName();
        this.jobId = creation.jobId();
        this.namespace = namespace;
    }

    public String namespace() {
        return namespace;
    }

    /** Whether it outlives its driver and its handles (ActorLifetime.DETACHED). */
    public boolean detached() {
        return creation.spec().getDetached();
    }

    /** Whether its class has a {@code close()} that ending it on purpose runs. */
    public boolean closeable() {
        return closeable;
    }

    public void closeable(boolean closeable) {
        this.closeable = closeable;
    }

    public boolean outOfScope() {
        return outOfScope;
    }

    public void outOfScope(boolean outOfScope) {
        this.outOfScope = outOfScope;
    }

    public String endCause() {
        return endCause;
    }

    public String endCallId() {
        return endCallId;
    }

    /** The node ends the actor with the terminate {@code callId}, for {@code cause}: it does not restart. */
    public void endingByNode(String cause, String callId) {
        this.endCause = cause;
        this.endCallId = callId;
        endingOnPurpose();
    }

    public String actorId() {
        return actorId;
    }

    public String className() {
        return className;
    }

    /** The name given with {@code ActorOptions.name}, or empty. */
    public String name() {
        return name;
    }

    public String jobId() {
        return jobId;
    }

    /** The constructor's task: run again on each restart. */
    public TaskRecord creation() {
        return creation;
    }

    public State state() {
        return state;
    }

    public void state(State state) {
        this.state = state;
    }

    public int maxRestarts() {
        return creation.spec().getMaxRestarts();
    }

    public int maxTaskRetries() {
        return creation.spec().getMaxTaskRetries();
    }

    /** How many of its calls the worker may run at once: 1, or the actor's {@code maxConcurrency}. */
    public int maxConcurrency() {
        return Math.max(1, creation.spec().getMaxConcurrency());
    }

    public int restarts() {
        return restarts;
    }

    /** Whether a death now may restart the actor, as far as its kill and maxRestarts go. */
    public boolean mayRestart(boolean noRestart) {
        return !noRestart && state != State.PENDING_CREATION && (maxRestarts() < 0 || restarts < maxRestarts());
    }

    /** The actor starts again on a new worker: the constructor runs as its next attempt. */
    public void restarting() {
        restarts++;
        killRequested = false;
        state = State.RESTARTING;
        creation.nextAttempt();
    }

    public String workerId() {
        return workerId;
    }

    /** The pid of the last worker that hosted the actor. */
    public long lastPid() {
        return lastPid;
    }

    public void hostedBy(String workerId, long pid) {
        this.workerId = workerId;
        this.lastPid = pid;
    }

    public void workerGone() {
        this.workerId = "";
    }

    public boolean killRequested() {
        return killRequested;
    }

    public boolean killNoRestart() {
        return killNoRestart;
    }

    public void killRequested(boolean noRestart) {
        this.killRequested = true;
        this.killNoRestart = noRestart;
    }

    public String deathCause() {
        return deathCause;
    }

    public boolean endedOnPurpose() {
        return endedOnPurpose;
    }

    /** The actor ends on purpose: its process exits on the node's word and it does not restart. */
    public void endingOnPurpose() {
        this.endedOnPurpose = true;
        killRequested(true);
    }

    /** The failure its calls get once it is dead, when it is more than "dead: cause"; or null. */
    public ObjectValue deathError() {
        return deathError;
    }

    public void died(String cause, ObjectValue error) {
        this.state = State.DEAD;
        this.deathCause = cause;
        this.deathError = error;
    }

    /** Calls not done yet: queued, and sent to its worker. */
    public int pendingCalls() {
        return queue.size() + inFlight.size();
    }

    /** The pending calls at which its driver is told next; doubles each time. */
    private int warnAtPending = ActorLifecycle.MANY_PENDING_CALLS;

    /** Whether the driver is to be told of {@code pending} calls now (once per doubling). */
    public boolean warnPending(int pending) {
        if (pending < warnAtPending) {
            return false;
        }
        warnAtPending *= 2;
        return true;
    }

    /** A call waits for the actor. */
    public void enqueue(TaskRecord call) {
        queue.add(call);
    }

    /** Calls that go back in front of the queue, in this order, for the restarted actor. */
    public void requeueFirst(List<TaskRecord> calls) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            queue.addFirst(calls.get(i));
        }
    }

    /** A call leaves the queue (cancelled, or one of its arguments failed). */
    public void dropQueued(TaskRecord call) {
        queue.remove(call);
    }

    /**
     * The queued calls to send to the worker now, in order, moved to in flight: up to the first
     * whose arguments are not ready. Calls already done are dropped.
     */
    public List<TaskRecord> takeSendable() {
        List<TaskRecord> send = new ArrayList<>();
        while (!queue.isEmpty()) {
            TaskRecord t = queue.peek();
            if (t.state().done()) {
                queue.poll();
                continue;
            }
            if (!t.pendingArgs().isEmpty()) {
                break;
            }
            queue.poll();
            inFlight.put(t.id(), t);
            send.add(t);
        }
        return send;
    }

    /** The call in flight with this id, or null. */
    public TaskRecord inFlight(String taskId) {
        return inFlight.get(taskId);
    }

    public void callDone(TaskRecord call) {
        inFlight.remove(call.id());
    }

    /** Takes the calls in flight, oldest (those that may be running) first. */
    public List<TaskRecord> drainInFlight() {
        List<TaskRecord> calls = new ArrayList<>(inFlight.values());
        inFlight.clear();
        return calls;
    }

    /** Takes the queued calls, in order. */
    public List<TaskRecord> drainQueue() {
        List<TaskRecord> calls = new ArrayList<>(queue);
        queue.clear();
        return calls;
    }

    public String describe() {
        return "actor " + className + (name.isEmpty() ? "" : " '" + name + "'") + " (id=" + actorId + ")";
    }

}
