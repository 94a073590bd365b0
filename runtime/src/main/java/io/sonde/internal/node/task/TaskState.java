package io.sonde.internal.node.task;

import io.sonde.proto.TaskInfo;

/**
 * Where a task is in its life, as {@code sonde list tasks} shows it.
 * <pre>
 *   PENDING_ARGS_AVAIL ──args ready──▶ PENDING_SCHEDULING ──worker leased──▶ RUNNING ──▶ FINISHED | FAILED
 *         │                                   ▲  │                                ▲   │
 *         └──────── cancel ──▶ CANCELLED      │  └─ pipelined ─▶ SUBMITTED_TO_WORKER ┘   │
 *                                             │   (behind the task its worker runs)      │
 *                                             ├──── given back unrun (its worker blocked)
 *                                             └──── worker died, retries left ───────────┘
 * </pre>
 * A task SUBMITTED_TO_WORKER waits in its worker's queue; it becomes RUNNING when the node has the
 * result of the task before it (the worker starts it then, so the node's view is behind by at most
 * the time that result takes to arrive).
 */
public enum TaskState {
    PENDING_ARGS_AVAIL, PENDING_SCHEDULING, SUBMITTED_TO_WORKER, RUNNING, FINISHED, FAILED, CANCELLED;

    public boolean done() {
        return this == FINISHED || this == FAILED || this == CANCELLED;
    }

    /** As {@code sonde list} gets it. */
    public TaskInfo.State toProto() {
        return switch (this) {
            case PENDING_ARGS_AVAIL -> TaskInfo.State.PENDING_ARGS_AVAIL;
            case PENDING_SCHEDULING -> TaskInfo.State.PENDING_SCHEDULING;
            case SUBMITTED_TO_WORKER -> TaskInfo.State.SUBMITTED_TO_WORKER;
            case RUNNING -> TaskInfo.State.RUNNING;
            case FINISHED -> TaskInfo.State.FINISHED;
            case FAILED -> TaskInfo.State.FAILED;
            case CANCELLED -> TaskInfo.State.CANCELLED;
        };
    }
}
