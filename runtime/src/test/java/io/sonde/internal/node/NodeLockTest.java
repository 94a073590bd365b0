package io.sonde.internal.node;

import io.sonde.internal.head.Head;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.proto.TaskSpec;
import io.sonde.internal.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The node never waits on its peers while it holds its lock, and its own waits are bounded. */
class NodeLockTest {
    @TempDir
    Path dir;

    @Test
    void aClientThatDoesNotReadItsResultsDoesNotStopTheNode() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            CountDownLatch never = new CountDownLatch(1);
            n.driver.stopReadingUntil(never);
            TaskSpec stuck = n.driver.submit(n.driver.task("stuck"));
            n.workers.runnerOf(stuck.getTaskId()).complete(stuck.getTaskId(), Serializer.value(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> n.driver.hasResult(stuck));

            // the first driver is stuck inside onNext; a second one is served, and so are the node's views
            FakeClient other = FakeClient.driver(n.node);
            TaskSpec t = other.submit(other.task("other"));
            n.workers.runnerOf(t.getTaskId()).complete(t.getTaskId(), Serializer.value(2));
            assertThat(other.result(t)).isEqualTo(2);
            assertThat(n.node.listTasks()).hasSize(2);
            never.countDown();
        }
    }

    @Test
    void aClientGetsItsMessagesInTheOrderTheNodeSentThem() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            List<TaskSpec> tasks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                tasks.add(n.driver.submit(n.driver.task("t" + i)));
            }
            FakeWorker w = n.workers.worker(0);
            for (int i = 0; i < tasks.size(); i++) {
                w.complete(tasks.get(i).getTaskId(), Serializer.value(i));
            }
            for (int i = 0; i < tasks.size(); i++) {
                assertThat(n.driver.result(tasks.get(i))).isEqualTo(i);
            }
            assertThat(n.node.attempts(tasks.get(19).getTaskId())).singleElement()
                    .extracting(a -> a.workerId()).isEqualTo(w.workerId());
        }
    }

    @Test
    void shutdownEndsAndKillsTheWorkersWhenAThreadHoldsTheNodesLockForever() {
        FakeWorkerLauncher workers = new FakeWorkerLauncher(dir);
        NodeManager node = new NodeManager(new NodeConfig("abcdef123456", "127.0.0.1", 1, 1L << 34, dir, Map.of()),
                new Head(), workers);
        workers.node(node);
        FakeClient.driver(node);
        FakeWorker running = workers.worker(0);
        CountDownLatch never = new CountDownLatch(1);
        workers.hangLaunchesUntil(never);
        // a second driver's registration launches a worker under the lock, and the launch hangs
        CompletableFuture.runAsync(() -> FakeClient.driver(node));
        workers.worker(1);

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> node.shutdown(false));
        await().atMost(Duration.ofSeconds(20)).until(shutdown::isDone);
        assertThat(running.exited()).as("the worker launched before is killed").isTrue();
        never.countDown();
    }
}
