package io.sonde.internal.head;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cluster metadata: the nodes, the jobs and the named actors. Today it runs inside the process of
 * the (single) node manager and is called directly; when more machines join, it gets a gRPC
 * service of its own and node managers register through it, without this API changing.
 *
 * <p>Thread-safe.
 */
public final class Head {
    /** A node as the head knows it. */
    public record Node(String nodeId, String ip, String address, double cpus, long memoryBytes) {
    }

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Map<String, String> namedActors = new ConcurrentHashMap<>();
    private final AtomicInteger jobs = new AtomicInteger();

    public void registerNode(Node node) {
        nodes.put(node.nodeId(), node);
    }

    public Collection<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Job ids are short and increasing, as in Ray: 01000000, 02000000, ... */
    public String newJobId() {
        return String.format("%02x000000", jobs.incrementAndGet());
    }

    /** Named actors are unique per job; returns false when the name is taken. */
    public boolean registerNamedActor(String jobId, String name, String actorId) {
        return namedActors.putIfAbsent(jobId + "/" + name, actorId) == null;
    }

    public Optional<String> namedActor(String jobId, String name) {
        return Optional.ofNullable(namedActors.get(jobId + "/" + name));
    }

    public void removeNamedActor(String jobId, String name, String actorId) {
        namedActors.remove(jobId + "/" + name, actorId);
    }
}
