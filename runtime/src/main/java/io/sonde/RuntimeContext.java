package io.sonde;

import java.io.Serializable;

/**
 * Where the calling code runs. In a driver, {@code taskId} is the driver's own id,
 * {@code actorId} is empty and {@code attemptNumber} is 0.
 *
 * @param taskId        the running task's id
 * @param actorId       the actor's id inside an actor method or constructor, else empty
 * @param nodeId        the node the process runs on
 * @param workerPid     this process's pid
 * @param attemptNumber 0 on the first try, 1 on the first retry, ...
 * @param taskName      the task's name as shown in prefixes and errors
 * @param wasCurrentActorRestarted inside an actor: whether this instance is a restart (its process
 *                      died and the constructor ran again in a new one, up to {@code maxRestarts}),
 *                      as Ray's {@code wasCurrentActorRestarted}; false elsewhere
 */
public record RuntimeContext(String taskId, String actorId, String nodeId, long workerPid,
                             int attemptNumber, String taskName, boolean wasCurrentActorRestarted)
        implements Serializable {
    /** A context outside a restarted actor. */
    public RuntimeContext(String taskId, String actorId, String nodeId, long workerPid, int attemptNumber,
                          String taskName) {
        this(taskId, actorId, nodeId, workerPid, attemptNumber, taskName, false);
    }
}
