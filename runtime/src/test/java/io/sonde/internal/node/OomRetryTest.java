package io.sonde.internal.node;

import io.sonde.OutOfMemoryException;
import io.sonde.TaskCancelledException;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.node.memory.KillPolicy;
import io.sonde.internal.node.memory.MemoryMonitor;
import io.sonde.internal.node.task.Attempt;
import io.sonde.internal.serialization.Serializer;
import io.sonde.proto.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What becomes of a task whose worker the memory monitor kills, on in-process workers: it runs
 * again after a backoff while oomRetries last, which maxRetries does not pay for, and then fails
 * with OutOfMemoryException carrying the monitor's report.
 */
class OomRetryTest {
    private static final String REPORT = "Memory on the node ... (the monitor's report)";

    @TempDir
    Path dir;

    /** The candidate the node offers the monitor for this task's worker. */
    private static KillPolicy.Candidate candidateOf(FakeNode n, String taskId) {
        List<KillPolicy.Candidate> all = n.node.memoryView().snapshot().candidates();
        return all.stream().filter(c -> c.ref().equals("task_id=" + taskId)).findFirst().orElseThrow();
    }

    @Test
    void aKilledTaskRunsAgainWithoutSpendingMaxRetriesAndTheHistorySaysWhy() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("big").setMaxRetries(0).setOomRetries(2));
            FakeWorker first = n.workers.runnerOf(t.getTaskId());
            KillPolicy.Candidate c = candidateOf(n, t.getTaskId());
            assertThat(c.kind()).isEqualTo(KillPolicy.Kind.RETRIABLE_TASK);

            assertThat(n.node.memoryView().kill(c, REPORT)).isTrue();

            FakeWorker second = n.workers.runnerOf(t.getTaskId(), 1);
            assertThat(second).isNotSameAs(first);
            second.complete(t.getTaskId(), Serializer.value("done"));
            assertThat(n.driver.result(t)).isEqualTo("done");
            assertThat(n.node.attempts(t.getTaskId())).extracting(Attempt::ending)
                    .containsExactly(Attempt.Ending.KILLED_FOR_MEMORY, Attempt.Ending.FINISHED);
        }
    }

    @Test
    void whenOomRetriesRunOutTheTaskFailsWithOutOfMemoryExceptionAndTheReport() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("big").setMaxRetries(3).setOomRetries(1));
            n.workers.runnerOf(t.getTaskId());
            n.node.memoryView().kill(candidateOf(n, t.getTaskId()), REPORT);
            n.workers.runnerOf(t.getTaskId(), 1);
            KillPolicy.Candidate last = candidateOf(n, t.getTaskId());
            // its last oomRetry spent: the policy ranks it with the tasks that will not be retried
            assertThat(last.kind()).isEqualTo(KillPolicy.Kind.TASK);
            n.node.memoryView().kill(last, REPORT);

            assertThat(n.driver.result(t)).isInstanceOf(OutOfMemoryException.class).asString()
                    .contains("Task was killed due to the node running low on memory.\n" + REPORT + "\n")
                    .contains("task big (task_id=" + t.getTaskId() + ", attempt 1): it was killed 2 times and"
                            + " retried 1 (oomRetries=1)");
            // maxRetries=3 did not make it run a third time
            assertThat(n.node.attempts(t.getTaskId())).extracting(Attempt::ending)
                    .containsExactly(Attempt.Ending.KILLED_FOR_MEMORY, Attempt.Ending.KILLED_FOR_MEMORY);
        }
    }

    @Test
    void aTaskCancelledDuringItsBackoffNeverRunsAgain() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("big").setOomRetries(5));
            n.workers.runnerOf(t.getTaskId());
            n.node.memoryView().kill(candidateOf(n, t.getTaskId()), REPORT);
            await().atMost(Duration.ofSeconds(5)).until(() -> n.node.attempts(t.getTaskId()).size() == 1);

            n.driver.cancel(t, false, false);

            assertThat(n.driver.result(t)).isInstanceOf(TaskCancelledException.class);
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                    .until(() -> n.workers.launched().stream().noneMatch(w -> w.received(t.getTaskId()) != null
                            && w.received(t.getTaskId()).getAttempt() == 1));
        }
    }

    @Test
    void aWorkerThatMovedOnSinceTheSnapshotIsNotKilled() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("quick"));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            KillPolicy.Candidate stale = candidateOf(n, t.getTaskId());
            w.complete(t.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(t)).isEqualTo(1);

            assertThat(n.node.memoryView().kill(stale, REPORT)).isFalse();
            assertThat(w.exit()).isNotDone();
        }
    }

    @Test
    void theSnapshotNamesEveryProcessAndOffersOnlyWorkersWithWork() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("one"));
            n.workers.runnerOf(t.getTaskId());
            MemoryMonitor.Snapshot s = n.node.memoryView().snapshot();
            assertThat(s.candidates()).extracting(KillPolicy.Candidate::work).containsExactly("the task one");
            assertThat(s.processes()).anyMatch(p -> !p.worker() && p.label().startsWith("node manager"));
            assertThat(s.processes()).anyMatch(p -> p.worker() && p.label().endsWith("(task one, task_id="
                    + t.getTaskId() + ")"));
        }
    }
}
