package io.sonde.internal.node;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a node manager is given when it starts.
 *
 * @param nodeId     unique id of the node in the cluster
 * @param ip         the address other nodes see (loopback until the cluster issue binds elsewhere)
 * @param cpus       CPUs the scheduler hands out
 * @param memory     bytes of memory of the node
 * @param sessionDir the session directory, holding {@code logs/}
 * @param resources  custom resources the node offers, e.g. {@code GPU=1}
 */
public record NodeConfig(String nodeId, String ip, double cpus, long memory, Path sessionDir,
                         Map<String, Double> resources) {
    public NodeConfig {
        resources = Map.copyOf(resources);
    }

    public Path logDir() {
        return sessionDir.resolve("logs");
    }
}
