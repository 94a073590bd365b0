package io.sonde;

/**
 * The work failed because its owner is gone: the driver or the task that submitted it (or created
 * the actor it called, or owns the object it waited for) exited or died first. As in Ray's
 * ownership model, the work a task owns ends with the task's worker, and a driver's with the
 * driver: nothing is left running, holding resources or waiting for a value no one can produce.
 * The message names the owner (task, worker, pid, or the driver's job).
 *
 * <p>An {@link ObjectLostException}, as Ray's {@code OwnerDiedError} is an {@code ObjectLostError}:
 * the value is gone with its owner and cannot be rebuilt.
 */
public class OwnerDiedException extends ObjectLostException {
    private static final long serialVersionUID = 1L;

    public OwnerDiedException(String message) {
        super(message);
    }
}
