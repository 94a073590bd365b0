package io.sonde.internal.node.sched;

import io.sonde.proto.Scheduling;
import io.sonde.proto.TaskSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which node a task or actor goes to, by its {@link Scheduling} strategy, from a view of the
 * cluster's nodes (Ray's cluster resource scheduler):
 * <ul>
 *   <li>DEFAULT (Ray's hybrid policy): the nodes in order, the local one first; the first that has
 *       the resources free and is used less than {@link #SPREAD_THRESHOLD}; else the least used
 *       that has them free; else the local node if it can ever hold the work, else the least used
 *       that can (the work waits there). So a node is packed until half used, then work spreads.</li>
 *   <li>SPREAD: the nodes in turn (a cursor that moves past each choice), the first with the
 *       resources free; else the first that can ever hold the work.</li>
 *   <li>NODE_AFFINITY: that node, if it is alive and can ever hold the work (hard: even when busy,
 *       the work waits there); soft and that node missing, dead or busy: DEFAULT. Hard and the node
 *       missing, dead or too small: unschedulable, with the reason.</li>
 * </ul>
 * No node can ever hold the work: infeasible. Pure and not thread-safe (the SPREAD cursor): used
 * under the node manager's lock, and calls out to nothing.
 */
public final class Placement {
    /** DEFAULT packs a node until this fraction of its most used resource is taken. */
    public static final double SPREAD_THRESHOLD = 0.5;

    /**
     * One node as the scheduler sees it.
     *
     * @param nodeId    the node's id
     * @param total     what it has
     * @param available what is free now
     * @param alive     false for a node known to be dead
     */
    public record NodeView(String nodeId, ResourceSet total, ResourceSet available, boolean alive) {
        double used() {
            return total.usedFraction(available);
        }
    }

    /**
     * Where the work goes.
     *
     * @param nodeId the chosen node, or null when there is none
     * @param why    when there is none: why, in words for the user's error
     */
    public record Choice(String nodeId, String why) {
        static Choice of(NodeView n) {
            return new Choice(n.nodeId(), null);
        }

        static Choice none(String why) {
            return new Choice(null, why);
        }

        public boolean placed() {
            return nodeId != null;
        }
    }

    private int spreadCursor;

    /**
     * @param nodes the cluster's nodes, the local one (the caller's) first
     */
    public Choice choose(TaskSpec spec, List<NodeView> nodes) {
        Scheduling s = spec.getScheduling();
        List<NodeView> alive = nodes.stream().filter(NodeView::alive).toList();
        List<NodeView> feasible = alive.stream().filter(n -> n.total().fits(spec)).toList();
        switch (s.getStrategy()) {
            case NODE_AFFINITY -> {
                NodeView target = alive.stream().filter(n -> n.nodeId().equals(s.getNodeId())).findFirst().orElse(null);
                if (target != null && target.total().fits(spec) && (!s.getSoft() || target.available().fits(spec))) {
                    return Choice.of(target);
                }
                if (!s.getSoft()) {
                    return Choice.none(affinityFails(s, nodes, target));
                }
                return hybrid(spec, feasible, nodes);
            }
            case SPREAD -> {
                return spread(spec, feasible, alive);
            }
            default -> {
                return hybrid(spec, feasible, nodes);
            }
        }
    }

    private static Choice hybrid(TaskSpec spec, List<NodeView> feasible, List<NodeView> nodes) {
        if (feasible.isEmpty()) {
            return Choice.none(null);
        }
        List<NodeView> free = feasible.stream().filter(n -> n.available().fits(spec)).toList();
        for (NodeView n : free) {
            if (n.used() < SPREAD_THRESHOLD) {
                return Choice.of(n);
            }
        }
        if (!free.isEmpty()) {
            return Choice.of(free.stream().min(Comparator.comparingDouble(NodeView::used)).orElseThrow());
        }
        // busy everywhere: the work waits on the local node if it can ever run there, else on the least used
        NodeView local = nodes.get(0);
        return Choice.of(feasible.contains(local) ? local
                : feasible.stream().min(Comparator.comparingDouble(NodeView::used)).orElseThrow());
    }

    private Choice spread(TaskSpec spec, List<NodeView> feasible, List<NodeView> alive) {
        if (feasible.isEmpty()) {
            return Choice.none(null);
        }
        List<NodeView> order = new ArrayList<>(alive.size());
        int start = Math.floorMod(spreadCursor, alive.size());
        for (int i = 0; i < alive.size(); i++) {
            order.add(alive.get((start + i) % alive.size()));
        }
        NodeView pick = order.stream().filter(n -> n.available().fits(spec)).findFirst()
                .orElseGet(() -> order.stream().filter(n -> n.total().fits(spec)).findFirst().orElseThrow());
        spreadCursor = alive.indexOf(pick) + 1;
        return Choice.of(pick);
    }

    private static String affinityFails(Scheduling s, List<NodeView> nodes, NodeView target) {
        String known = nodes.stream().map(n -> n.nodeId() + (n.alive() ? "" : " (dead)"))
                .collect(Collectors.joining(", "));
        if (target == null) {
            boolean dead = nodes.stream().anyMatch(n -> n.nodeId().equals(s.getNodeId()));
            return "its scheduling strategy nodeAffinity(" + s.getNodeId() + ", soft=false) names a node that "
                    + (dead ? "is dead" : "is not in this cluster") + " (its nodes: " + known + "). Use the id that"
                    + " Sonde.context().nodeId() or `sonde status` shows, or pass soft=true to run it on"
                    + " another node when that one cannot";
        }
        return "its scheduling strategy nodeAffinity(" + s.getNodeId() + ", soft=false) names a node that can never"
                + " hold it (node " + target.nodeId() + " has {" + target.total().describe() + "}). Ask for less,"
                + " or pass soft=true to run it on another node";
    }
}
