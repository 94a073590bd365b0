package io.sonde.internal.node;

import io.sonde.TaskCancelledException;
import io.sonde.WorkerCrashedException;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.serialization.Serializer;
import io.sonde.proto.CancelledTask;
import io.sonde.proto.TaskDone;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.TaskSpec;
import io.sonde.proto.TasksReturned;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A leased worker's pipeline on an in-process worker pool: normal tasks of the same shape go behind
 * the running one up to the depth, each starts when the one before returns, and a task queued
 * there is never lost: the worker's crash, its running task blocking, a cancel and a JVM in doubt
 * each send it back to the ready queue (or end it, when cancelled) as the same attempt.
 */
class PipelineTest {
    private static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private static TaskInfo.State state(FakeNode n, TaskSpec t) {
        return n.node.listTasks().stream().filter(i -> i.getTaskId().equals(t.getTaskId()))
                .map(TaskInfo::getState).reduce((a, b) -> b).orElse(TaskInfo.State.STATE_UNSPECIFIED);
    }

    private static CancelledTask.Outcome outcomeOf(FakeNode n, long requestId, TaskSpec t) {
        return await().pollInterval(FakeClient.POLL).atMost(Duration.ofSeconds(10))
                .until(() -> n.driver.cancelOutcome(requestId), x -> x != null)
                .getTasksList().stream().filter(c -> c.getTaskId().equals(t.getTaskId())).findFirst()
                .map(CancelledTask::getOutcome).orElseThrow();
    }

    @Test
    void tasksGoBehindTheRunningOneUpToTheDepthAndStartInOrder() {
        try (FakeNode n = FakeNode.withPipeline(1, 3, dir)) {
            TaskSpec a = n.driver.submit(n.driver.task("a"));
            FakeWorker w = n.workers.runnerOf(a.getTaskId());
            TaskSpec b = n.driver.submit(n.driver.task("b"));
            TaskSpec c = n.driver.submit(n.driver.task("c"));
            TaskSpec d = n.driver.submit(n.driver.task("d"));
            w.awaitTask(b.getTaskId());
            w.awaitTask(c.getTaskId());
            // the depth is 3: the fourth waits at the node, not on a worker
            await().during(QUIET).until(() -> n.workers.launched().stream().allMatch(x -> x.received(d.getTaskId()) == null));
            assertThat(state(n, a)).isEqualTo(TaskInfo.State.RUNNING);
            assertThat(state(n, b)).isEqualTo(TaskInfo.State.SUBMITTED_TO_WORKER);
            assertThat(state(n, d)).isEqualTo(TaskInfo.State.PENDING_SCHEDULING);

            w.complete(a.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(a)).isEqualTo(1);
            // b starts where a ran, and d takes the room a left
            await().atMost(Duration.ofSeconds(5)).until(() -> state(n, b) == TaskInfo.State.RUNNING);
            assertThat(w.awaitTask(d.getTaskId()).getAttempt()).isZero();
            for (TaskSpec t : new TaskSpec[]{b, c, d}) {
                w.complete(t.getTaskId(), Serializer.value(t.getName()));
                assertThat(n.driver.result(t)).isEqualTo(t.getName());
            }
            assertThat(n.workers.launched()).hasSize(1);
            assertThat(n.node.status().getNodes(0).getCpusUsed()).isZero();
        }
    }

    @Test
    void aWorkerCrashFailsOnlyTheTaskItRanAndTheOnesQueuedBehindRunElsewhere() {
        try (FakeNode n = FakeNode.withPipeline(1, 3, dir)) {
            TaskSpec a = n.driver.submit(n.driver.task("a").setMaxRetries(0));
            FakeWorker first = n.workers.runnerOf(a.getTaskId());
            TaskSpec b = n.driver.submit(n.driver.task("b").setMaxRetries(0));
            TaskSpec c = n.driver.submit(n.driver.task("c").setMaxRetries(0));
            first.awaitTask(c.getTaskId());

            first.crash(137);

            // what must not be lost: b and c never started, so they run again as the same attempt
            // and their retries (none) are not spent on a crash they did not cause
            assertThat(n.driver.result(a)).isInstanceOf(WorkerCrashedException.class);
            FakeWorker second = n.workers.runnerOf(b.getTaskId());
            assertThat(second).isNotSameAs(first);
            assertThat(second.awaitTask(b.getTaskId()).getAttempt()).isZero();
            assertThat(second.awaitTask(c.getTaskId()).getAttempt()).isZero();
            second.complete(b.getTaskId(), Serializer.value("b"));
            second.complete(c.getTaskId(), Serializer.value("c"));
            assertThat(n.driver.result(b)).isEqualTo("b");
            assertThat(n.driver.result(c)).isEqualTo("c");
        }
    }

    @Test
    void tasksABlockedWorkerGivesBackRunOnAnotherWorker() {
        try (FakeNode n = FakeNode.withPipeline(2, 3, dir)) {
            TaskSpec a = n.driver.submit(n.driver.task("a"));
            FakeWorker w1 = n.workers.runnerOf(a.getTaskId());
            TaskSpec b = n.driver.submit(n.driver.task("b"));
            FakeWorker w2 = n.workers.runnerOf(b.getTaskId());
            assertThat(w2).isNotSameAs(w1);
            TaskSpec c = n.driver.submit(n.driver.task("c"));
            FakeWorker queuedOn = n.workers.runnerOf(c.getTaskId());
            FakeWorker other = queuedOn == w1 ? w2 : w1;

            // the task running there waits in get: the worker gives c back, and it goes behind the other one
            queuedOn.giveBack(TasksReturned.Reason.BLOCKED, c.getTaskId());
            await().atMost(Duration.ofSeconds(5)).until(() -> other.received(c.getTaskId()) != null);
            assertThat(other.received(c.getTaskId()).getAttempt()).isZero();
            // and nothing more goes behind the blocked task until it ends
            TaskSpec d = n.driver.submit(n.driver.task("d"));
            assertThat(n.workers.runnerOf(d.getTaskId())).isSameAs(other);

            TaskSpec blocked = queuedOn == w1 ? a : b;
            TaskSpec notBlocked = queuedOn == w1 ? b : a;
            for (TaskSpec t : new TaskSpec[]{blocked, notBlocked}) {
                n.workers.runnerOf(t.getTaskId()).complete(t.getTaskId(), Serializer.value(t.getName()));
            }
            other.complete(c.getTaskId(), Serializer.value("c"));
            other.complete(d.getTaskId(), Serializer.value("d"));
            for (TaskSpec t : new TaskSpec[]{a, b, c, d}) {
                assertThat(n.driver.result(t)).isEqualTo(t.getName());
            }
            assertThat(queuedOn.timesReceived(c.getTaskId())).isEqualTo(1);
        }
    }

    @Test
    void aCancelledQueuedTaskNeverStartsAndTheTaskBeforeItIsNotTouched() {
        try (FakeNode n = FakeNode.withPipeline(1, 3, dir)) {
            TaskSpec a = n.driver.submit(n.driver.task("a"));
            FakeWorker w = n.workers.runnerOf(a.getTaskId());
            TaskSpec b = n.driver.submit(n.driver.task("b"));
            w.awaitTask(b.getTaskId());

            n.driver.cancel(b, true, false, 5); // even forced: a runs there, so nothing is killed
            await().atMost(Duration.ofSeconds(5)).until(() -> w.interrupted(b.getTaskId()));
            assertThat(w.exited()).isFalse();
            assertThat(w.interrupted(a.getTaskId())).isFalse();
            w.giveBack(TasksReturned.Reason.CANCELLED, b.getTaskId());

            assertThat(outcomeOf(n, 5, b)).isEqualTo(CancelledTask.Outcome.NOT_STARTED);
            assertThat(n.driver.result(b)).isInstanceOf(TaskCancelledException.class).asString()
                    .contains("before it started, while it was queued on worker pid=" + w.pid());
            w.complete(a.getTaskId(), Serializer.value("a"));
            assertThat(n.driver.result(a)).isEqualTo("a");
            await().during(QUIET).until(() -> w.timesReceived(b.getTaskId()) == 1);
            assertThat(state(n, b)).isEqualTo(TaskInfo.State.CANCELLED);
            assertThat(n.node.status().getNodes(0).getCpusUsed()).isZero();
        }
    }

    @Test
    void aWorkerWhoseJvmIsInDoubtRunsNothingQueuedBehind() {
        try (FakeNode n = FakeNode.withPipeline(1, 3, dir)) {
            TaskSpec a = n.driver.submit(n.driver.task("a"));
            FakeWorker first = n.workers.runnerOf(a.getTaskId());
            TaskSpec b = n.driver.submit(n.driver.task("b").setMaxRetries(0));
            first.awaitTask(b.getTaskId());

            first.send(TaskDone.newBuilder().setTaskId(a.getTaskId()).setAttempt(0)
                    .setResult(Serializer.value("a")).setRetireReason("OutOfMemoryError").build());

            FakeWorker second = n.workers.runnerOf(b.getTaskId());
            assertThat(second).isNotSameAs(first);
            second.complete(b.getTaskId(), Serializer.value("b"));
            assertThat(n.driver.result(a)).isEqualTo("a");
            assertThat(n.driver.result(b)).isEqualTo("b");
        }
    }

    @Test
    void anIdleWorkerTakesTheNewestHalfOfTheLongestQueue() {
        try (FakeNode n = FakeNode.withPipeline(2, 4, dir)) {
            TaskSpec a = n.driver.submit(n.driver.task("a"));
            FakeWorker w1 = n.workers.runnerOf(a.getTaskId());
            TaskSpec b = n.driver.submit(n.driver.task("b"));
            FakeWorker w2 = n.workers.runnerOf(b.getTaskId());
            TaskSpec c = n.driver.submit(n.driver.task("c"));
            TaskSpec d = n.driver.submit(n.driver.task("d"));
            TaskSpec e = n.driver.submit(n.driver.task("e"));
            for (TaskSpec t : new TaskSpec[]{c, d, e}) {
                n.workers.runnerOf(t.getTaskId());
            }
            // a is long; what w2 has ends: w2 is idle while tasks wait behind a
            FakeWorker longQueue = w1.received(e.getTaskId()) != null ? w1 : w2;
            FakeWorker shortQueue = longQueue == w1 ? w2 : w1;
            TaskSpec shortRunning = shortQueue == w1 ? a : b;
            shortQueue.complete(shortRunning.getTaskId(), Serializer.value(shortRunning.getName()));
            for (TaskSpec t : new TaskSpec[]{c, d}) {
                if (shortQueue.received(t.getTaskId()) != null) {
                    shortQueue.complete(t.getTaskId(), Serializer.value(t.getName()));
                }
            }
            // the newest task queued on the long queue moves; the one next to run stays
            await().atMost(Duration.ofSeconds(5)).until(() -> longQueue.askedToGiveBack(e.getTaskId()));
            longQueue.giveBack(TasksReturned.Reason.ASKED, e.getTaskId());
            await().atMost(Duration.ofSeconds(5)).until(() -> shortQueue.received(e.getTaskId()) != null);
            assertThat(shortQueue.received(e.getTaskId()).getAttempt()).isZero();
            shortQueue.complete(e.getTaskId(), Serializer.value("e"));
            assertThat(n.driver.result(e)).isEqualTo("e");
            assertThat(n.driver.result(shortRunning)).isEqualTo(shortRunning.getName());
        }
    }

    @Test
    void aDepthOfOneSendsEachTaskOnlyToAFreeWorker() {
        try (FakeNode n = FakeNode.withPipeline(1, 1, dir)) {
            TaskSpec a = n.driver.submit(n.driver.task("a"));
            FakeWorker w = n.workers.runnerOf(a.getTaskId());
            TaskSpec b = n.driver.submit(n.driver.task("b"));
            await().during(QUIET).until(() -> w.received(b.getTaskId()) == null);
            w.complete(a.getTaskId(), Serializer.value(1));
            assertThat(n.workers.runnerOf(b.getTaskId())).isSameAs(w);
        }
    }

    @Test
    void theDepthSettingIsCheckedAndSaysWhatItTakes() {
        assertThat(PipelineDepth.parse(null).tasks()).isEqualTo(PipelineDepth.DEFAULT);
        assertThat(PipelineDepth.parse(" 4 ").tasks()).isEqualTo(4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PipelineDepth.parse("0"))
                .hasMessageContaining(PipelineDepth.ENV).hasMessageContaining("from 1 to");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PipelineDepth.parse("ten"))
                .hasMessageContaining("got \"ten\"");
    }
}
