package io.sonde.internal.node;

import io.sonde.internal.node.memory.MemorySettings;
import io.sonde.internal.node.object.ObjectStoreSettings;

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
 * @param memoryBudget {@code --memory BYTES}: the memory monitor takes it as the node's capacity and
 *                   the sum of its workers' memory as its use (0: the cgroup's or the machine's)
 * @param memorySettings how the memory monitor samples and when it kills
 * @param objectStore how large the shared-memory object store is and where it spills
 */
public record NodeConfig(String nodeId, String ip, double cpus, long memory, Path sessionDir,
                         Map<String, Double> resources, int spareWorkers, long memoryBudget,
                         MemorySettings memorySettings, ObjectStoreSettings objectStore) {
    /** Idle workers each job that ran work keeps started ahead of need, so a retry after a crash starts at once. */
    public static final int DEFAULT_SPARE_WORKERS = 1;

    public NodeConfig {
        resources = Map.copyOf(resources);
        java.util.Objects.requireNonNull(memorySettings, "memorySettings");
        java.util.Objects.requireNonNull(objectStore, "objectStore");
        if (memoryBudget < 0) {
            throw new IllegalArgumentException("the node's memory budget must be 0 (none) or a number of bytes, got "
                    + memoryBudget);
        }
        if (spareWorkers < 0) {
            throw new IllegalArgumentException("spareWorkers must be 0 or more, got " + spareWorkers);
        }
    }

    public NodeConfig(String nodeId, String ip, double cpus, long memory, Path sessionDir,
                      Map<String, Double> resources) {
        this(nodeId, ip, cpus, memory, sessionDir, resources, DEFAULT_SPARE_WORKERS, 0, MemorySettings.fromEnvironment(),
                ObjectStoreSettings.DEFAULT);
    }

    /** The same node, keeping {@code spares} idle workers started ahead per job. */
    public NodeConfig withSpareWorkers(int spares) {
        return new NodeConfig(nodeId, ip, cpus, memory, sessionDir, resources, spares, memoryBudget, memorySettings,
                objectStore);
    }

    /** The same node with a memory budget of {@code bytes} (0: none), which is also its memory for admission. */
    public NodeConfig withMemoryBudget(long bytes) {
        return new NodeConfig(nodeId, ip, cpus, bytes > 0 ? bytes : memory, sessionDir, resources, spareWorkers, bytes,
                memorySettings, objectStore);
    }

    /** The same node with another memory monitor's settings. */
    public NodeConfig withMemorySettings(MemorySettings settings) {
        return new NodeConfig(nodeId, ip, cpus, memory, sessionDir, resources, spareWorkers, memoryBudget, settings,
                objectStore);
    }

    /** The same node with another object store's size and spill directory. */
    public NodeConfig withObjectStore(ObjectStoreSettings settings) {
        return new NodeConfig(nodeId, ip, cpus, memory, sessionDir, resources, spareWorkers, memoryBudget,
                memorySettings, settings);
    }

    /** Where the object store spills: the configured directory, else {@code <session>/spill}. */
    public Path spillDir() {
        return objectStore.spillDir() != null ? objectStore.spillDir() : sessionDir.resolve("spill");
    }

    public Path logDir() {
        return sessionDir.resolve("logs");
    }
}
