package io.sonde.cli.bench;

/**
 * Thrown by a metric that cannot be measured on this cluster (one joined by address, a store too
 * large to spill): printed as {@code NAME skipped: REASON}, and not counted as a failure.
 */
public final class Skipped extends Exception {
    public Skipped(String reason) {
        super(reason, null, false, false);
    }
}
