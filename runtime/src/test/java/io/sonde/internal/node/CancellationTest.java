package io.sonde.internal.node;

import io.sonde.TaskCancelledException;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.node.task.Attempt;
import io.sonde.proto.CancelOutcome;
import io.sonde.proto.CancelledTask;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.WorkerInfo;
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

    private static CancelledTask.Outcome outcomeOf(FakeNode n, long requestId, TaskSpec t) {
        CancelOutcome o = await().pollInterval(FakeClient.POLL).atMost(Duration.ofSeconds(10))
                .until(() -> n.driver.cancelOutcome(requestId), x -> x != null);
        return o.getTasksList().stream().filter(c -> c.getTaskId().equals(t.getTaskId())).findFirst()
                .map(CancelledTask::getOutcome).orElseThrow(() -> new AssertionError("not in " + o));
    }

    private static WorkerInfo.State workerState(FakeNode n, FakeWorker w) {
        return n.node.listWorkers().stream().filter(i -> i.getWorkerId().equals(w.workerId())).findFirst()
                .map(WorkerInfo::getState).orElse(WorkerInfo.State.STATE_UNSPECIFIED);
    }

    @Test
    void aSoftCancelOfATaskThatIgnoresTheInterruptSaysItStillRuns() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("spin"));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            long asked = System.nanoTime();
            n.driver.cancel(t, false, false, 7);

            assertThat(n.driver.result(t)).isInstanceOf(TaskCancelledException.class);
            // the worker never returns the task: after the grace the node says it still runs, not that it stopped
            assertThat(outcomeOf(n, 7, t)).isEqualTo(CancelledTask.Outcome.STILL_RUNNING);
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isGreaterThanOrEqualTo(NodeManager.CANCEL_GRACE);
            assertThat(n.driver.cancelOutcome(7).getTasks(0).getPid()).isEqualTo(w.pid());
            assertThat(w.interrupted(t.getTaskId())).isTrue();
            assertThat(w.exited()).isFalse();
            assertThat(workerState(n, w)).isEqualTo(WorkerInfo.State.BUSY);
        }
    }

    @Test
    void aSoftCancelOfATaskThatEndsOnTheInterruptSaysItStoppedWithoutWaitingForTheGrace() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("polite"));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            long asked = System.nanoTime();
            n.driver.cancel(t, false, false, 8);
            await().atMost(Duration.ofSeconds(5)).until(() -> w.interrupted(t.getTaskId()));
            w.complete(t.getTaskId(), Serializer.value("ended on the interrupt"));

            assertThat(outcomeOf(n, 8, t)).isEqualTo(CancelledTask.Outcome.STOPPED);
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(NodeManager.CANCEL_GRACE);
            assertThat(workerState(n, w)).isEqualTo(WorkerInfo.State.IDLE);
        }
    }

    @Test
    void aPendingTaskIsReportedAsNeverStarted() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec running = n.driver.submit(n.driver.task("running"));
            n.workers.runnerOf(running.getTaskId());
            TaskSpec pending = n.driver.submit(n.driver.task("pending"));
            n.driver.cancel(pending, false, false, 9);
            assertThat(outcomeOf(n, 9, pending)).isEqualTo(CancelledTask.Outcome.NOT_STARTED);
        }
    }

    @Test
    void aForcedCancelAfterASoftOneKillsTheWorkerAndFreesItsCpuWithoutLosingOtherResults() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec spin = n.driver.submit(n.driver.task("spin"));
            FakeWorker w = n.workers.runnerOf(spin.getTaskId());
            TaskSpec other = n.driver.submit(n.driver.task("other"));
            FakeWorker otherWorker = n.workers.runnerOf(other.getTaskId());
            n.driver.cancel(spin, false, true, 1);
            assertThat(outcomeOf(n, 1, spin)).isEqualTo(CancelledTask.Outcome.STILL_RUNNING);
            // a task that needs both CPUs waits: the spinning task still holds one
            TaskSpec big = n.driver.submit(n.driver.task("big").setNumCpus(2));
            otherWorker.complete(other.getTaskId(), Serializer.value(5));
            assertThat(n.driver.result(other)).isEqualTo(5);
            await().during(QUIET).until(() -> state(n, big) == TaskInfo.State.PENDING_SCHEDULING);

            n.driver.cancel(spin, true, true, 2);
            await().atMost(Duration.ofSeconds(5)).until(w::exited);
            assertThat(outcomeOf(n, 2, spin)).isEqualTo(CancelledTask.Outcome.KILLED);
            // the CPU is free again: the next task runs, and the cancelled one was never retried
            FakeWorker bigWorker = n.workers.runnerOf(big.getTaskId());
            bigWorker.complete(big.getTaskId(), Serializer.value(6));
            assertThat(n.driver.result(big)).isEqualTo(6);
            assertThat(n.driver.results(spin)).hasSize(1);
            assertThat(n.driver.results(other)).hasSize(1);
            assertThat(state(n, spin)).isEqualTo(TaskInfo.State.CANCELLED);
            assertThat(n.workers.launched()).allMatch(x -> x == w || x.received(spin.getTaskId()) == null);
        }
    }

    @Test
    void aSecondSoftCancelOfATaskThatStillRunsSaysSoAgainAndKillsNothing() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("spin"));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            n.driver.cancel(t, false, false, 3);
            assertThat(outcomeOf(n, 3, t)).isEqualTo(CancelledTask.Outcome.STILL_RUNNING);
            n.driver.cancel(t, false, false, 4);
            assertThat(outcomeOf(n, 4, t)).isEqualTo(CancelledTask.Outcome.STILL_RUNNING);
            assertThat(w.exited()).isFalse();
        }
    }
}
