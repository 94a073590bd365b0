package io.sonde.spi;

/**
 * A worker JVM of the node, as a {@link NodePlugin} sees it.
 *
 * @param workerId the worker's id
 * @param pid      its process id
 * @param jobId    the job (driver) it serves
 */
public record WorkerRef(String workerId, long pid, String jobId) {
}
