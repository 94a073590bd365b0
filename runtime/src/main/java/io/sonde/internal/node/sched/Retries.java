package io.sonde.internal.node.sched;

import io.sonde.internal.node.object.TaskResults;
import io.sonde.internal.node.task.Attempt;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskState;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.TaskDone;
import io.sonde.proto.TaskSpec;

import java.util.function.Supplier;

/**
 * What becomes of a normal task that leaves its worker: it gives back the resources it held, its
 * attempt ends, and it either goes back to the head of the ready queue as its next attempt
 * ({@code maxRetries}, {@code retryExceptions}) or ends.
 *
 * <pre>
 *   returned ──threw, a retried exception, retries left──▶ requeueFirst
 *       └──────otherwise──▶ complete: its result (cancelled: TaskCancelledException)
 *   workerDied ──cancelled──▶ complete: TaskCancelledException
 *       ├──────retries left──▶ requeueFirst
 *       └──────none left──▶ fail: WorkerCrashedException
 *   workerDied (a retry would die the same way) ──▶ complete: the given failure
 *   oomKilled ──cancelled──▶ complete: TaskCancelledException
 *       ├──────oomRetries left──▶ after a backoff: requeueFirst (maxRetries untouched)
 *       └──────none left──▶ fail: OutOfMemoryException
 * </pre>
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock, after it took the task
 * off its worker. Actor calls and creations take the actor's path instead.
 */
public final class Retries {
    /** The first wait before a task the memory monitor killed runs again; it doubles with each kill. */
    static final long OOM_BACKOFF_BASE_MS = 250;
    static final long OOM_BACKOFF_MAX_MS = 10_000;

    /** Runs work later, under the node's lock, and schedules afterwards. */
    public interface Delays {
        void later(long delayMs, Runnable underLock);
    }

    private final Scheduler scheduler;
    private final TaskResults<?> results;
    private final Delays delays;

    public Retries(Scheduler scheduler, TaskResults<?> results, Delays delays) {
        this.scheduler = scheduler;
        this.results = results;
        this.delays = delays;
    }

    /**
     * The node's memory monitor killed the task's worker: the task runs again after a backoff
     * while it has oomRetries left, else fails with {@code failure} (an OutOfMemoryException).
     * While it waits it is PENDING_SCHEDULING outside the ready queue: a cancel or its owner's
     * death ends it there, and the requeue then does nothing.
     */
    public void oomKilled(TaskRecord t, String exit, Supplier<ObjectValue> failure) {
        if (leftCancelled(t, Attempt.Ending.KILLED_FOR_MEMORY, exit)) {
            return;
        }
        boolean retry = t.canRetryAfterOom();
        t.oomKilled();
        if (retry) {
            t.state(TaskState.PENDING_SCHEDULING);
            delays.later(oomBackoffMs(t.oomKills()), () -> {
                if (!t.cancelled() && t.state() == TaskState.PENDING_SCHEDULING) {
                    scheduler.requeueFirst(t);
                }
            });
        } else {
            results.fail(t, failure.get());
        }
    }

    /** The wait before the attempt after the {@code kills}-th kill: 250 ms, doubling, at most 10 s. */
    static long oomBackoffMs(int kills) {
        return Math.min(OOM_BACKOFF_MAX_MS, OOM_BACKOFF_BASE_MS << Math.min(20, Math.max(0, kills - 1)));
    }

    /** The worker returned the task's result, or the task threw. */
    public void returned(TaskRecord t, TaskDone done) {
        leave(t);
        ObjectValue result = done.getResult();
        t.attemptReturned(result);
        t.leftWorker();
        if (result.getIsError() && !t.cancelled() && retriesException(t.spec(), done)
                && t.canRetry(t.spec().getMaxRetries())) {
            scheduler.requeueFirst(t);
        } else {
            results.complete(t, t.cancelled() ? Cancellation.failure(t) : result);
        }
    }

    /**
     * The task's worker died while running it.
     *
     * @param exit    how the process ended, for the attempt's record
     * @param crashed the failure the task ends with when no retry is left
     */
    public void workerDied(TaskRecord t, String exit, Supplier<ObjectValue> crashed) {
        if (leftCancelled(t, Attempt.Ending.WORKER_DIED, exit)) {
            return;
        }
        if (t.canRetry(t.spec().getMaxRetries())) {
            scheduler.requeueFirst(t);
        } else {
            results.fail(t, crashed.get());
        }
    }

    /**
     * The task's worker died while running it in a way a retry would repeat: it ends with
     * {@code failure} (or as cancelled), whatever retries it has left.
     */
    public void workerDied(TaskRecord t, String exit, ObjectValue failure) {
        if (!leftCancelled(t, Attempt.Ending.WORKER_DIED, exit)) {
            results.fail(t, failure);
        }
    }

    /**
     * The task left its dead worker: it gives back what it held and its attempt ends. Returns
     * true when it was cancelled, and ends it as such.
     */
    private boolean leftCancelled(TaskRecord t, Attempt.Ending ending, String exit) {
        leave(t);
        t.attemptEnded(ending, exit);
        t.leftWorker();
        if (t.cancelled()) {
            results.complete(t, Cancellation.failure(t));
            return true;
        }
        return false;
    }

    /** The task's worker gave it back before it started: it gives back what it held, as a task that left its worker does. */
    public void leftUnrun(TaskRecord t) {
        leave(t);
    }

    /** Gives back what the task held; its CPUs only if it had not lent them while waiting in get. */
    private void leave(TaskRecord t) {
        scheduler.release(t.spec(), !t.cpusLent());
        t.cpusLent(false);
    }

    private static boolean retriesException(TaskSpec spec, TaskDone done) {
        if (!spec.getRetryExceptions()) {
            return false;
        }
        if (spec.getRetryExceptionClassesCount() == 0) {
            return true;
        }
        return done.getExceptionClassesList().stream().anyMatch(spec.getRetryExceptionClassesList()::contains);
    }
}
