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
 * @param spareWorkers idle workers each job that ran work keeps started ahead of need (Ray
 *                   prestarts workers too): a task retried after its worker crashed, or an actor
 *                   restarted, takes one at once instead of waiting for a JVM to start
 */
public record NodeConfig(String nodeId, String ip, double cpus, long memory, Path sessionDir,
                         Map<String, Double> resources, int spareWorkers) {
    /** Idle workers each job that ran work keeps started ahead of need, so a retry after a crash starts at once. */
    public static final int DEFAULT_SPARE_WORKERS = 1;

    public NodeConfig {
        resources = Map.copyOf(resources);
        if (spareWorkers < 0) {
            throw new IllegalArgumentException("spareWorkers must be 0 or more, got " + spareWorkers);
        }
    }

    public NodeConfig(String nodeId, String ip, double cpus, long memory, Path sessionDir,
                      Map<String, Double> resources) {
        this(nodeId, ip, cpus, memory, sessionDir, resources, DEFAULT_SPARE_WORKERS);
    }

    /** The same node, keeping {@code spares} idle workers started ahead per job. */
    public NodeConfig withSpareWorkers(int spares) {
        return new NodeConfig(nodeId, ip, cpus, memory, sessionDir, resources, spares);
    }

    public Path logDir() {
        return sessionDir.resolve("logs");
    }
}
