package io.sonde.internal.node.worker;

import io.sonde.proto.WorkerInfo;

/**
 * A worker's state, as {@code sonde list workers} shows it.
 * <pre>
 *   STARTING ──hello──▶ IDLE ◀──task done──▶ BUSY
 *      │                 │                    │
 *      └─────────────────┴── process exited ──┴──▶ DEAD
 * </pre>
 * An actor's worker is BUSY from its hello on: it runs nothing but its actor.
 */
public enum WorkerState {
    STARTING, IDLE, BUSY, DEAD;

    /** As {@code sonde list} gets it. */
    public WorkerInfo.State toProto() {
        return switch (this) {
            case STARTING -> WorkerInfo.State.STARTING;
            case IDLE -> WorkerInfo.State.IDLE;
            case BUSY -> WorkerInfo.State.BUSY;
            case DEAD -> WorkerInfo.State.DEAD;
        };
    }
}
