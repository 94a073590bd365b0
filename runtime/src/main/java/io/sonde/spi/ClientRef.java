package io.sonde.spi;

/**
 * A core client connected to the node, as a {@link NodePlugin} sees it.
 *
 * @param clientId its session's id
 * @param jobId    its job
 * @param workerId the worker it belongs to; empty for a driver
 */
public record ClientRef(String clientId, String jobId, String workerId) {
    /** Whether this is a job's driver. */
    public boolean isDriver() {
        return workerId.isEmpty();
    }
}
