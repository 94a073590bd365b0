package io.sonde.internal.node.worker;

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
    STARTING, IDLE, BUSY, DEAD
}
