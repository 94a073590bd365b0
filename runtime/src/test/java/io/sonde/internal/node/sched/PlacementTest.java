package io.sonde.internal.node.sched;

import io.sonde.internal.node.sched.Placement.NodeView;
import io.sonde.proto.Scheduling;
import io.sonde.proto.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The placement policy over views of several nodes: pack then spread, SPREAD, node affinity, infeasible. */
class PlacementTest {
    private static final long GIB = 1L << 30;

    private static NodeView node(String id, double cpus, double freeCpus) {
        return new NodeView(id, new ResourceSet(cpus, 8 * GIB, Map.of()), new ResourceSet(freeCpus, 8 * GIB, Map.of()),
                true);
    }

    private static TaskSpec task(double cpus, Scheduling.Strategy strategy, String nodeId, boolean soft) {
        return TaskSpec.newBuilder().setNumCpus(cpus)
                .setScheduling(Scheduling.newBuilder().setStrategy(strategy).setNodeId(nodeId).setSoft(soft)).build();
    }

    private static TaskSpec task(double cpus) {
        return task(cpus, Scheduling.Strategy.DEFAULT, "", false);
    }

    @Test
    void theDefaultPacksTheLocalNodeUntilHalfUsedThenGoesToTheLeastUsed() {
        Placement p = new Placement();
        assertThat(p.choose(task(1), List.of(node("local", 4, 4), node("b", 4, 4))).nodeId()).isEqualTo("local");
        assertThat(p.choose(task(1), List.of(node("local", 4, 3), node("b", 4, 4))).nodeId()).isEqualTo("local");
        // half used: the next goes elsewhere, to the least used node that has the CPU free
        assertThat(p.choose(task(1), List.of(node("local", 4, 2), node("b", 4, 1), node("c", 4, 3))).nodeId())
                .isEqualTo("c");
        assertThat(p.choose(task(1), List.of(node("local", 4, 2), node("b", 4, 4))).nodeId()).isEqualTo("b");
    }

    @Test
    void theDefaultWaitsOnTheLocalNodeWhenEveryNodeIsBusyAndOnAnotherOnlyIfLocalCanNeverHoldIt() {
        Placement p = new Placement();
        assertThat(p.choose(task(1), List.of(node("local", 2, 0), node("b", 2, 0))).nodeId()).isEqualTo("local");
        assertThat(p.choose(task(4), List.of(node("local", 2, 2), node("b", 8, 0))).nodeId()).isEqualTo("b");
        assertThat(p.choose(task(4), List.of(node("local", 2, 2), node("b", 8, 1), node("c", 8, 3))).nodeId())
                .isEqualTo("c");
    }

    @Test
    void spreadTakesTheNodesInTurnSkippingOnesWithoutRoom() {
        Placement p = new Placement();
        List<NodeView> nodes = List.of(node("a", 4, 4), node("b", 4, 4), node("c", 4, 0));
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            chosen.add(p.choose(task(1, Scheduling.Strategy.SPREAD, "", false), nodes).nodeId());
        }
        assertThat(chosen).containsExactly("a", "b", "a", "b");
        // all busy: it still takes them in turn, among those that can ever hold it
        List<NodeView> busy = List.of(node("a", 4, 0), node("b", 4, 0));
        assertThat(p.choose(task(1, Scheduling.Strategy.SPREAD, "", false), busy).nodeId()).isEqualTo("a");
        assertThat(p.choose(task(1, Scheduling.Strategy.SPREAD, "", false), busy).nodeId()).isEqualTo("b");
    }

    @Test
    void workNoNodeCanEverHoldIsInfeasibleWithoutAReasonOfItsOwn() {
        Placement.Choice c = new Placement().choose(task(16), List.of(node("a", 4, 4), node("b", 8, 8)));
        assertThat(c.placed()).isFalse();
        assertThat(c.why()).isNull();
        assertThat(new Placement().choose(task(16, Scheduling.Strategy.SPREAD, "", false), List.of(node("a", 4, 4)))
                .placed()).isFalse();
    }

    @Test
    void aHardNodeAffinityRunsThereEvenWhenBusyAndFailsForAMissingDeadOrTooSmallNode() {
        Placement p = new Placement();
        List<NodeView> nodes = List.of(node("a", 4, 4), node("b", 2, 0),
                new NodeView("gone", new ResourceSet(4, GIB, Map.of()), new ResourceSet(4, GIB, Map.of()), false));
        assertThat(p.choose(task(1, Scheduling.Strategy.NODE_AFFINITY, "b", false), nodes).nodeId()).isEqualTo("b");

        Placement.Choice missing = p.choose(task(1, Scheduling.Strategy.NODE_AFFINITY, "nope", false), nodes);
        assertThat(missing.placed()).isFalse();
        assertThat(missing.why()).contains("nodeAffinity(nope, soft=false)", "is not in this cluster",
                "its nodes: a, b, gone (dead)", "soft=true");

        assertThat(p.choose(task(1, Scheduling.Strategy.NODE_AFFINITY, "gone", false), nodes).why()).contains("is dead");
        assertThat(p.choose(task(3, Scheduling.Strategy.NODE_AFFINITY, "b", false), nodes).why())
                .contains("can never hold it", "node b has {CPU: 2");
    }

    @Test
    void aSoftNodeAffinityRunsThereWhenItHasRoomAndElsewhereOtherwise() {
        Placement p = new Placement();
        List<NodeView> nodes = List.of(node("a", 4, 4), node("b", 2, 2));
        assertThat(p.choose(task(1, Scheduling.Strategy.NODE_AFFINITY, "b", true), nodes).nodeId()).isEqualTo("b");
        List<NodeView> bBusy = List.of(node("a", 4, 4), node("b", 2, 0));
        assertThat(p.choose(task(1, Scheduling.Strategy.NODE_AFFINITY, "b", true), bBusy).nodeId()).isEqualTo("a");
        assertThat(p.choose(task(1, Scheduling.Strategy.NODE_AFFINITY, "nope", true), nodes).nodeId()).isEqualTo("a");
    }

    @Test
    void usedFractionIsThatOfTheMostUsedResource() {
        ResourceSet total = new ResourceSet(4, 8 * GIB, Map.of("GPU", 2.0));
        assertThat(total.usedFraction(new ResourceSet(3, 8 * GIB, Map.of("GPU", 2.0)))).isEqualTo(0.25);
        assertThat(total.usedFraction(new ResourceSet(4, 2 * GIB, Map.of("GPU", 1.0)))).isEqualTo(0.75);
        assertThat(new ResourceSet(0, 0, Map.of()).usedFraction(new ResourceSet(0, 0, Map.of()))).isZero();
    }
}
