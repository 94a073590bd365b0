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

    /**
     * Named actors are unique per namespace, as Ray's: returns the id of the actor that holds the
     * name already, or empty when this one got it.
     */
    public Optional<String> registerNamedActor(String namespace, String name, String actorId) {
        return Optional.ofNullable(namedActors.putIfAbsent(key(namespace, name), actorId));
    }

    public Optional<String> namedActor(String namespace, String name) {
        return Optional.ofNullable(namedActors.get(key(namespace, name)));
    }

    public void removeNamedActor(String namespace, String name, String actorId) {
        namedActors.remove(key(namespace, name), actorId);
    }

    private static String key(String namespace, String name) {
        return namespace.length() + ":" + namespace + "/" + name; // no two (namespace, name) pairs share a key
    }
}
