package io.sonde.internal.node.task;

/**
 * Where a task is in its life, as {@code sonde list tasks} shows it.
 * <pre>
 *   PENDING_ARGS_AVAIL ──args ready──▶ PENDING_SCHEDULING ──worker leased──▶ RUNNING ──▶ FINISHED | FAILED
 *         │                                   ▲                                 │
 *         └──────── cancel ──▶ CANCELLED      └──── worker died, retries left ──┘
 * </pre>
 */
public enum TaskState {
    PENDING_ARGS_AVAIL, PENDING_SCHEDULING, RUNNING, FINISHED, FAILED, CANCELLED;

    public boolean done() {
        return this == FINISHED || this == FAILED || this == CANCELLED;
    }
}
