package io.sonde.internal.node;

import io.sonde.SondeException;
import io.sonde.WorkerCrashedException;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.proto.TaskSpec;
import io.sonde.internal.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Admission and placement of tasks, on in-process workers. */
class SchedulingTest {
    private static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path dir;

    @Test
    void aTaskRunsOnTheJobsIdleWorkerAndItsResultGoesToTheOwner() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("square"));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            assertThat(w).isSameAs(n.workers.worker(0));
            w.complete(t.getTaskId(), Serializer.value(49));
            assertThat(n.driver.result(t)).isEqualTo(49);
        }
    }

    @Test
    void tasksThatFitTheFreeCpusWaitInSubmissionOrder() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec first = n.driver.submit(n.driver.task("first"));
            TaskSpec second = n.driver.submit(n.driver.task("second"));
            FakeWorker w = n.workers.runnerOf(first.getTaskId());
            await().during(QUIET).until(() -> n.workers.launched().stream().allMatch(x -> x.received(second.getTaskId()) == null));

            w.complete(first.getTaskId(), Serializer.value(1));
            assertThat(n.workers.runnerOf(second.getTaskId())).isSameAs(w);
        }
    }

    @Test
    void aSmallerTaskPassesALargerOneThatDoesNotFitYet() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec running = n.driver.submit(n.driver.task("running"));
            n.workers.runnerOf(running.getTaskId());
            TaskSpec large = n.driver.submit(n.driver.task("large").setNumCpus(2));
            TaskSpec small = n.driver.submit(n.driver.task("small"));

            FakeWorker smallRunner = n.workers.runnerOf(small.getTaskId());
            assertThat(smallRunner).isNotSameAs(n.workers.runnerOf(running.getTaskId()));
            await().during(QUIET).until(() -> n.workers.launched().stream().allMatch(x -> x.received(large.getTaskId()) == null));

            n.workers.runnerOf(running.getTaskId()).complete(running.getTaskId(), Serializer.value(1));
            smallRunner.complete(small.getTaskId(), Serializer.value(2));
            n.workers.runnerOf(large.getTaskId()).complete(large.getTaskId(), Serializer.value(3));
            assertThat(n.driver.result(large)).isEqualTo(3);
        }
    }

    @Test
    void aTaskNoNodeCanRunFailsAtOnce() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec huge = n.driver.submit(n.driver.task("huge").setNumCpus(4));

            assertThat(n.driver.result(huge)).isInstanceOf(SondeException.class).asString()
                    .contains("task huge").contains("cannot be scheduled: it needs {CPU: 4}")
                    .contains("node abcdef123456 has {CPU: 2");
            assertThat(n.workers.launched()).allMatch(w -> w.received(huge.getTaskId()) == null);
        }
    }

    @Test
    void aJobStartsAtMostFourWorkersAtOnce() {
        try (FakeNode n = FakeNode.withWorkers(16, dir, FakeWorkerLauncher.Start.SILENT)) {
            for (int i = 0; i < 10; i++) {
                n.driver.submit(n.driver.task("t" + i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> n.workers.launched().size() == WorkerPool.MAX_CONCURRENT_STARTS_PER_JOB);
            await().during(QUIET).until(() -> n.workers.launched().size() == WorkerPool.MAX_CONCURRENT_STARTS_PER_JOB);
        }
    }

    @Test
    void workersThatExitBeforeTheirHelloFailTheQueuedTasks() {
        try (FakeNode n = FakeNode.withWorkers(16, dir, FakeWorkerLauncher.Start.EXIT_BEFORE_HELLO)) {
            TaskSpec t = n.driver.submit(n.driver.task("doomed"));

            assertThat(n.driver.result(t)).isInstanceOf(WorkerCrashedException.class).asString()
                    .contains("task doomed").contains("cannot run: the last 3 worker processes of job "
                            + n.driver.jobId() + " exited before they started")
                    .contains("ended with exit code 1");
        }
    }

    @Test
    void idsStartWithTheNodesId() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            assertThat(n.driver.clientId()).startsWith("abcdef");
            assertThat(n.workers.worker(0).workerId()).startsWith("wabcdef");
        }
    }
}
