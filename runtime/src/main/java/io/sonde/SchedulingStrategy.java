package io.sonde;

/** Where the scheduler places a task or actor. */
public enum SchedulingStrategy {
    /** Pack work onto the node the caller runs on while it has free resources. */
    DEFAULT
}
