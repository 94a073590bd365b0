package io.sonde.internal.node;

import java.nio.file.Path;

/**
 * What a node manager is given when it starts.
 *
 * @param nodeId     unique id of the node in the cluster
 * @param ip         the address other nodes see (loopback until the cluster issue binds elsewhere)
 * @param cpus       CPUs the scheduler hands out
 * @param memory     bytes of memory of the node
 * @param sessionDir the session directory, holding {@code logs/}
 */
public record NodeConfig(String nodeId, String ip, double cpus, long memory, Path sessionDir) {
    public Path logDir() {
        return sessionDir.resolve("logs");
    }
}
