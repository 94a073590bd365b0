package io.sonde.internal.node.task;

import io.sonde.proto.ObjectValue;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The node manager's view of one task (or actor call/creation): its {@link TaskState}, the
 * argument objects it waits for and keeps alive, the worker that runs it, and its attempts.
 *
 * <p>Not thread-safe: guarded by the node manager's lock, like every part of the node.
 */
public final class TaskRecord {
    private final TaskSpec spec;
    private final Set<String> pendingArgs = new HashSet<>();
    /** Argument objects this task keeps alive until it is done (see ObjectStore#retain). */
    private final Set<String> heldArgs = new HashSet<>(2);
    private final List<Attempt> attempts = new ArrayList<>(1);
    private TaskState state = TaskState.PENDING_ARGS_AVAIL;
    private int attempt;
    /** The worker running the task; empty when none does. */
    private String workerId = "";
    private boolean cancelled;
    /** The task's CPUs were lent back while it waits in get, so nested tasks can run. */
    private boolean cpusLent;
    private String errorType = "";
    /** Why the node failed the task, when it decided it (its owner died); else empty. */
    private String errorMessage = "";
    private long lastPid;
    /** When the current attempt reached its worker, in epoch milliseconds; 0 before. */
    private long startedAtMillis;
    private boolean returnedUnrun;
    private Runnable onEnd;
    private long queuedAtNanos;
    /** Attempts the memory monitor ended: they count against oomRetries, not maxRetries. */
    private int oomKills;
    /** The client session that submitted the task and receives its result; empty when unknown. */
    private String owner = "";
    /** Its place in the node's submission order, set by {@link TaskTable#add}. */
    private long sequence;

    public TaskRecord(TaskSpec spec) {
        this.spec = spec;
    }

    public TaskSpec spec() {
        return spec;
    }

    public String id() {
        return spec.getTaskId();
    }

    public TaskKind kind() {
        return spec.getKind();
    }

    public String jobId() {
        return spec.getJobId();
    }

    public double cpus() {
        return spec.getNumCpus();
    }

    public TaskState state() {
        return state;
    }

    public void state(TaskState state) {
        this.state = state;
    }

    /** The current attempt, from 0. */
    public int attempt() {
        return attempt;
    }

    /** Starts the next attempt: the previous one ended (see {@link #attemptEnded}). */
    public void nextAttempt() {
        attempt++;
    }

    /**
     * Whether one more attempt is allowed after a failure (maxRetries -1 means forever); the
     * attempts the memory monitor ended do not count.
     */
    public boolean canRetry(int maxRetries) {
        return !cancelled && (maxRetries < 0 || attempt - oomKills < maxRetries);
    }

    /** Whether one more attempt is allowed after the memory monitor killed this one (oomRetries -1: forever). */
    public boolean canRetryAfterOom() {
        int limit = spec.getOomRetries();
        return !cancelled && (limit < 0 || oomKills < limit);
    }

    /** The memory monitor ended the current attempt. */
    public void oomKilled() {
        oomKills++;
    }

    /** How many attempts the memory monitor ended. */
    public int oomKills() {
        return oomKills;
    }

    /** When the task last joined the scheduler's queue, in {@link System#nanoTime} (0: never). */
    public long queuedAtNanos() {
        return queuedAtNanos;
    }

    public void queuedAtNanos(long nanos) {
        this.queuedAtNanos = nanos;
    }

    /** When the current attempt reached its worker, in epoch milliseconds (0: not yet). */
    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** The argument objects not ready yet; the task waits in the dependency resolver until empty. */
    public Set<String> pendingArgs() {
        return pendingArgs;
    }

    /** The argument objects this task keeps in the object store until it is done. */
    public Set<String> heldArgs() {
        return heldArgs;
    }

    /** Leases the task to a worker: it runs there from now on. */
    public void running(String workerId, long pid) {
        this.startedAtMillis = System.currentTimeMillis();
        this.state = TaskState.RUNNING;
        this.workerId = workerId;
        this.lastPid = pid;
    }

    /**
     * Pipelines the task to a leased worker, behind the task it runs: it waits in that worker's
     * queue ({@link TaskState#SUBMITTED_TO_WORKER}) and starts ({@link #running}) when the tasks
     * before it have ended.
     */
    public void submittedTo(String workerId, long pid) {
        this.state = TaskState.SUBMITTED_TO_WORKER;
        this.workerId = workerId;
        this.lastPid = pid;
        this.returnedUnrun = false;
    }

    /** Its worker gave it back without having started it (see {@code TasksReturned}). */
    public void returnedUnrun() {
        this.returnedUnrun = true;
        this.workerId = "";
    }

    /** Runs {@code onEnd} once, when the task ends (see {@link #ended}). */
    public void onEnd(Runnable onEnd) {
        this.onEnd = onEnd;
    }

    /** The task reached its end state: what waited for it is told, once. */
    public void ended() {
        Runnable r = onEnd;
        onEnd = null;
        if (r != null) {
            r.run();
        }
    }

    /** Whether the last worker it was sent to gave it back unrun. */
    public boolean wasReturnedUnrun() {
        return returnedUnrun;
    }

    /** The worker running the task, or empty. */
    public String workerId() {
        return workerId;
    }

    /** The task left its worker (it returned, or the worker died). */
    public void leftWorker() {
        this.workerId = "";
    }

    /** The pid of the last worker the task ran on; 0 before it ran. */
    public long lastPid() {
        return lastPid;
    }

    public boolean cancelled() {
        return cancelled;
    }

    public void markCancelled() {
        this.cancelled = true;
    }

    public boolean cpusLent() {
        return cpusLent;
    }

    public void cpusLent(boolean lent) {
        this.cpusLent = lent;
    }

    /** The simple class name of the failure the task ended with; empty unless it failed. */
    public String errorType() {
        return errorType;
    }

    public void errorType(String errorType) {
        this.errorType = errorType;
    }

    /** Why the node failed the task (its owner died); empty otherwise. */
    public String errorMessage() {
        return errorMessage;
    }

    public void errorMessage(String errorMessage) {
        this.errorMessage = errorMessage;
    }

    /** The client id of the session that submitted the task: its owner. Empty when unknown. */
    public String owner() {
        return owner;
    }

    /** Set once, at submission, to the submitting session. */
    public void owner(String clientId) {
        this.owner = clientId;
    }

    long sequence() {
        return sequence;
    }

    void sequence(long sequence) {
        this.sequence = sequence;
    }

    /**
     * Records why the current attempt ended, once per attempt, if it is running (call it before
     * the state changes). The first record wins: the node records the specific cause (a worker
     * that died) before it completes the task with the generic one.
     */
    public void attemptEnded(Attempt.Ending ending, String detail) {
        if (state != TaskState.RUNNING || (!attempts.isEmpty() && attempts.get(attempts.size() - 1).number() == attempt)) {
            return;
        }
        attempts.add(new Attempt(attempt, workerId, lastPid, ending, detail));
    }

    /** The worker returned the task's result (or the task threw): the attempt ends there. */
    public void attemptReturned(ObjectValue result) {
        Attempt.Ending ending = cancelled ? Attempt.Ending.CANCELLED
                : result.getIsError() ? Attempt.Ending.THREW : Attempt.Ending.FINISHED;
        attemptEnded(ending, result.getIsError() ? result.getErrorType() : "");
    }

    /** The attempts that reached a worker, oldest first, each with why it ended. */
    public List<Attempt> attempts() {
        return Collections.unmodifiableList(attempts);
    }

    /** For errors: "task f (task_id=..., attempt 2)", "actor call C.m (task_id=...)", ... */
    public String describe() {
        return switch (spec.getKind()) {
            case ACTOR_METHOD -> "actor call " + spec.getName() + " (task_id=" + id() + ")";
            case ACTOR_CREATION -> "the creation of actor " + spec.getActorClass() + " (id=" + spec.getActorId() + ")";
            default -> "task " + spec.getName() + " (task_id=" + id() + ", attempt " + attempt + ")";
        };
    }
}
