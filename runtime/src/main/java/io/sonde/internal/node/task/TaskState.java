package io.sonde.internal.node.task;

import io.sonde.proto.TaskInfo;

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

    /** As {@code sonde list} gets it. */
    public TaskInfo.State toProto() {
        return switch (this) {
            case PENDING_ARGS_AVAIL -> TaskInfo.State.PENDING_ARGS_AVAIL;
            case PENDING_SCHEDULING -> TaskInfo.State.PENDING_SCHEDULING;
            case RUNNING -> TaskInfo.State.RUNNING;
            case FINISHED -> TaskInfo.State.FINISHED;
            case FAILED -> TaskInfo.State.FAILED;
            case CANCELLED -> TaskInfo.State.CANCELLED;
        };
    }
}
