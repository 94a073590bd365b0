package io.sonde.internal.node;

import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.node.sched.Placement;
import io.sonde.internal.serialization.Serializer;
import io.sonde.proto.Scheduling;
import io.sonde.proto.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Placement across two node managers in one process. Sonde runs one node per cluster until the
 * head knows several; here a {@link Placement} reads both nodes' live views ({@link
 * NodeManager#nodeView()}) and each task goes to the node it chose, as the head's placement will,
 * so that the policy is checked against the nodes' real resource accounting: CPUs taken when a
 * worker takes a task, given back when it returns.
 */
class TwoNodePlacementTest {
    @TempDir
    Path dir;

    private record Placed(FakeNode node, TaskSpec task, FakeWorker worker) {
    }

    private static Placed place(Placement head, FakeNode a, FakeNode b, String name, Scheduling.Strategy strategy) {
        TaskSpec.Builder spec = a.driver.task(name).setScheduling(Scheduling.newBuilder().setStrategy(strategy));
        Placement.Choice c = head.choose(spec.build(), List.of(a.node.nodeView(), b.node.nodeView()));
        assertThat(c.placed()).isTrue();
        FakeNode n = c.nodeId().equals("node-a") ? a : b;
        TaskSpec t = n.driver.submit(n.driver.task(name).setScheduling(spec.getScheduling()));
        // the task holds its CPU from here on, which the next choice sees
        return new Placed(n, t, n.workers.runnerOf(t.getTaskId()));
    }

    private FakeNode node(String id) throws Exception {
        return FakeNode.named(id, 4, Files.createDirectories(dir.resolve(id)));
    }

    @Test
    void spreadTakesTheTwoNodesInTurnAndEachNodesWorkersRunTheirTasks() throws Exception {
        try (FakeNode a = node("node-a"); FakeNode b = node("node-b")) {
            Placement head = new Placement();
            List<Placed> placed = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                placed.add(place(head, a, b, "spread" + i, Scheduling.Strategy.SPREAD));
            }
            assertThat(placed).extracting(p -> p.node() == a ? "a" : "b").containsExactly("a", "b", "a", "b");
            for (int i = 0; i < placed.size(); i++) {
                Placed p = placed.get(i);
                p.worker().complete(p.task().getTaskId(), Serializer.value(i));
                // must not be lost: each result, from the node that ran it
                assertThat(p.node().driver.result(p.task())).isEqualTo(i);
            }
            assertThat(a.node.nodeView().available().cpus()).isEqualTo(4);
            assertThat(b.node.nodeView().available().cpus()).isEqualTo(4);
        }
    }

    @Test
    void theDefaultPacksTheFirstNodeUntilItIsHalfUsedThenUsesTheOther() throws Exception {
        try (FakeNode a = node("node-a"); FakeNode b = node("node-b")) {
            Placement head = new Placement();
            List<Placed> placed = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                placed.add(place(head, a, b, "pack" + i, Scheduling.Strategy.DEFAULT));
            }
            // a: 0/4 and 1/4 used take the first two; at 2/4 it is half used: b, the least used, until
            // it is as used as a; then a again
            assertThat(placed).extracting(p -> p.node() == a ? "a" : "b").containsExactly("a", "a", "b", "b", "a");
            assertThat(a.node.nodeView().available().cpus()).isEqualTo(1);
            assertThat(b.node.nodeView().available().cpus()).isEqualTo(2);
            for (Placed p : placed) {
                p.worker().complete(p.task().getTaskId(), Serializer.value(p.task().getName()));
                assertThat(p.node().driver.result(p.task())).isEqualTo(p.task().getName());
            }
        }
    }
}
