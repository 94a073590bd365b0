package io.sonde.internal.node.task;

/**
 * One run of a task on a worker, and why it ended: what {@code maxRetries} and
 * {@code maxTaskRetries} count ({@code oomRetries} counts those the memory monitor ended). Only attempts that reached a worker are recorded.
 *
 * @param number   the attempt, from 0 (as {@code TaskSpec.attempt})
 * @param workerId the worker that ran it
 * @param pid      that worker's process id
 * @param ending   why the attempt ended
 * @param detail   words for the ending: the exit code of a worker that died, the exception type of
 *                 a task that threw; empty when there is nothing to add
 */
public record Attempt(int number, String workerId, long pid, Ending ending, String detail) {
    /** Why an attempt ended. */
    public enum Ending {
        /** The task returned a value. */
        FINISHED,
        /** The task threw (retried when {@code retryExceptions} allows it). */
        THREW,
        /** The worker process died while running it (retried while retries are left). */
        WORKER_DIED,
        /** The node's memory monitor killed its worker (retried while {@code oomRetries} are left). */
        KILLED_FOR_MEMORY,
        /** {@code Sonde.cancel} reached it while it ran. */
        CANCELLED
    }
}
