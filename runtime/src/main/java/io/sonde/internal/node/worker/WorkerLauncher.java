package io.sonde.internal.node.worker;

import java.io.IOException;

/**
 * Starts workers for the node manager. The started worker connects back to the node's Attach
 * stream and says hello with {@link LaunchRequest#workerId()}; from then on the node sends it
 * tasks there. {@link ProcessWorkerLauncher} starts JVMs; tests start in-process fakes.
 *
 * <p>{@link #launch} is called under the node's lock, so it must not block for long and must not
 * call back into the node on the calling thread.
 */
public interface WorkerLauncher {
    /**
     * Starts a worker; its output goes to {@code output} from the launcher's own threads.
     *
     * @throws IOException when the worker cannot be started at all
     */
    WorkerHandle launch(LaunchRequest request, WorkerOutput output) throws IOException;
}
