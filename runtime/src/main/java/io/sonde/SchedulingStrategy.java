package io.sonde;

import java.util.Objects;

/**
 * Where the scheduler places a task or actor, as Ray's {@code scheduling_strategy}:
 * <ul>
 *   <li>{@link #DEFAULT}: the caller's node while it is less than half used, then the least used
 *       node that has the resources free (packing first keeps data local; spreading after keeps
 *       one node from being overloaded);</li>
 *   <li>{@link #SPREAD}: the nodes in turn, those with the resources free first;</li>
 *   <li>{@link #nodeAffinity(String, boolean) nodeAffinity(nodeId, soft)}: that node. With
 *       {@code soft=false} the work runs there or fails at once when no such node is alive or it
 *       can never hold the work; with {@code soft=true} it runs there when it can, elsewhere (as
 *       {@link #DEFAULT}) otherwise.</li>
 * </ul>
 * A cluster of one node runs everything on that node whatever the strategy, except a hard
 * affinity to another node, which fails.
 */
public final class SchedulingStrategy {
    /** The three kinds of strategy. */
    public enum Kind {
        DEFAULT,
        SPREAD,
        NODE_AFFINITY
    }

    /** Pack the caller's node until it is half used, then the least used node with room. */
    public static final SchedulingStrategy DEFAULT = new SchedulingStrategy(Kind.DEFAULT, "", false);
    /** Spread tasks and actors over the nodes, in turn. */
    public static final SchedulingStrategy SPREAD = new SchedulingStrategy(Kind.SPREAD, "", false);

    private final Kind kind;
    private final String nodeId;
    private final boolean soft;

    private SchedulingStrategy(Kind kind, String nodeId, boolean soft) {
        this.kind = kind;
        this.nodeId = nodeId;
        this.soft = soft;
    }

    /**
     * Run on the node with this id ({@code Sonde.context().nodeId()}, or the node id that
     * {@code sonde status} shows).
     *
     * @param soft false: there or nowhere (the task fails when that node is not in the cluster or
     *             can never hold it); true: elsewhere when that node cannot run it now
     */
    public static SchedulingStrategy nodeAffinity(String nodeId, boolean soft) {
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeAffinity needs a node id, got an empty one; use the id that"
                    + " Sonde.context().nodeId() or `sonde status` shows");
        }
        return new SchedulingStrategy(Kind.NODE_AFFINITY, nodeId.strip(), soft);
    }

    public Kind kind() {
        return kind;
    }

    /** The node of a {@link Kind#NODE_AFFINITY} strategy; empty for the others. */
    public String nodeId() {
        return nodeId;
    }

    /** Whether a node affinity lets the work run elsewhere; false for the other kinds. */
    public boolean soft() {
        return soft;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchedulingStrategy s && s.kind == kind && s.nodeId.equals(nodeId) && s.soft == soft;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, nodeId, soft);
    }

    @Override
    public String toString() {
        return kind == Kind.NODE_AFFINITY ? "nodeAffinity(" + nodeId + ", soft=" + soft + ")" : kind.name();
    }
}
