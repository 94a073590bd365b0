package io.sonde.internal.node;

import io.sonde.TaskCancelledException;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.node.task.Attempt;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.TaskSpec;
import io.sonde.internal.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Sonde.cancel on tasks waiting, running, by force, and with their children. */
class CancellationTest {
    private static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private static TaskInfo.State state(FakeNode n, TaskSpec t) {
        return n.node.listTasks().stream().filter(i -> i.getTaskId().equals(t.getTaskId()))
                .map(TaskInfo::getState).reduce((a, b) -> b).orElse(TaskInfo.State.STATE_UNSPECIFIED);
    }

    @Test
    void aPendingTaskIsCancelledWithoutRunning() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec running = n.driver.submit(n.driver.task("running"));
            FakeWorker w = n.workers.runnerOf(running.getTaskId());
            TaskSpec pending = n.driver.submit(n.driver.task("pending"));
            n.driver.cancel(pending, false, false);

            assertThat(n.driver.result(pending)).isInstanceOf(TaskCancelledException.class).asString()
                    .contains("task pending").contains("was cancelled by Sonde.cancel before it started.");
            w.complete(running.getTaskId(), Serializer.value(1));
            await().during(QUIET).until(() -> n.workers.launched().stream().allMatch(x -> x.received(pending.getTaskId()) == null));
            assertThat(state(n, pending)).isEqualTo(TaskInfo.State.CANCELLED);
        }
    }

    @Test
    void aRunningTaskIsInterruptedAndItsLateResultIsDropped() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("slow").setMaxRetries(3));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            n.driver.cancel(t, false, false);

            assertThat(n.driver.result(t)).isInstanceOf(TaskCancelledException.class).asString()
                    .contains("while it ran on worker pid=" + w.pid());
            await().atMost(Duration.ofSeconds(5)).until(() -> w.interrupted(t.getTaskId()));
            w.complete(t.getTaskId(), Serializer.value("too late"));
            await().during(QUIET).until(() -> n.driver.results(t).size() == 1);
            assertThat(n.node.attempts(t.getTaskId())).extracting(Attempt::ending).containsExactly(Attempt.Ending.CANCELLED);
            // the worker is free again once it returned
            TaskSpec next = n.driver.submit(n.driver.task("next"));
            assertThat(n.workers.runnerOf(next.getTaskId())).isSameAs(w);
        }
    }

    @Test
    void aForcedCancelKillsTheWorkerAndTheTaskIsNotRetried() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("stuck").setMaxRetries(3));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            n.driver.cancel(t, true, false);

            assertThat(n.driver.result(t)).isInstanceOf(TaskCancelledException.class);
            await().atMost(Duration.ofSeconds(5)).until(w::exited);
            await().during(QUIET).until(() -> n.workers.launched().stream().filter(x -> x != w)
                    .allMatch(x -> x.received(t.getTaskId()) == null));
            assertThat(state(n, t)).isEqualTo(TaskInfo.State.CANCELLED);
        }
    }

    @Test
    void aRecursiveCancelReachesTheTasksChildren() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec parent = n.driver.submit(n.driver.task("parent"));
            FakeWorker w = n.workers.runnerOf(parent.getTaskId());
            // submitted by the parent while it runs; no CPU is free, so it waits
            TaskSpec child = n.driver.submit(n.driver.task("child").setParentTaskId(parent.getTaskId()));
            TaskSpec other = n.driver.submit(n.driver.task("other"));
            n.driver.cancel(parent, false, true);

            assertThat(n.driver.result(child)).isInstanceOf(TaskCancelledException.class).asString().contains("task child");
            assertThat(n.driver.result(parent)).isInstanceOf(TaskCancelledException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> w.interrupted(parent.getTaskId()));
            assertThat(state(n, other)).isEqualTo(TaskInfo.State.PENDING_SCHEDULING);
            w.complete(parent.getTaskId(), Serializer.value(0));
            w.complete(other.getTaskId(), Serializer.value(2));
            assertThat(n.driver.result(other)).isEqualTo(2);
        }
    }
}
