package io.sonde.internal.node;

import io.sonde.SondeException;
import io.sonde.WorkerCrashedException;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.node.task.Attempt;
import io.sonde.proto.TaskSpec;
import io.sonde.internal.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Retries of normal tasks, and the attempt history that says why each attempt ended. */
class RetryTest {
    private static final String SIGKILL = "exit code 137 (killed by signal 9, SIGKILL)";

    @TempDir
    Path dir;

    @Test
    void aTaskWhoseWorkerDiesRunsAgainOnAnotherWorkerAndTheHistorySaysWhy() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("load").setMaxRetries(2));
            FakeWorker first = n.workers.runnerOf(t.getTaskId());
            first.crash(137);

            FakeWorker second = n.workers.runnerOf(t.getTaskId(), 1);
            assertThat(second).isNotSameAs(first);
            second.complete(t.getTaskId(), Serializer.value("loaded"));

            assertThat(n.driver.result(t)).isEqualTo("loaded");
            assertThat(n.node.attempts(t.getTaskId())).containsExactly(
                    new Attempt(0, first.workerId(), first.pid(), Attempt.Ending.WORKER_DIED, SIGKILL),
                    new Attempt(1, second.workerId(), second.pid(), Attempt.Ending.FINISHED, ""));
        }
    }

    @Test
    void aTaskWhoseRetriesAreExhaustedFailsWithWorkerCrashedException() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("load").setMaxRetries(1));
            n.workers.runnerOf(t.getTaskId()).crash(137);
            FakeWorker second = n.workers.runnerOf(t.getTaskId(), 1);
            second.crash(137);

            assertThat(n.driver.result(t)).isInstanceOf(WorkerCrashedException.class).asString()
                    .contains("task load (task_id=" + t.getTaskId() + ", attempt 1) failed: its worker process (pid="
                            + second.pid() + ", node=127.0.0.1) was killed by signal 9 (SIGKILL) while running it"
                            + " (exit code 137), and not by Sonde")
                    .contains("It was retried 1 time (maxRetries=1)");
            assertThat(n.node.attempts(t.getTaskId())).extracting(Attempt::ending)
                    .containsExactly(Attempt.Ending.WORKER_DIED, Attempt.Ending.WORKER_DIED);
        }
    }

    @Test
    void aTaskWithoutRetriesFailsAtTheFirstCrash() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("once"));
            n.workers.runnerOf(t.getTaskId()).crash(139);

            assertThat(n.driver.result(t)).isInstanceOf(WorkerCrashedException.class).asString()
                    .contains("was ended by signal 11 (SIGSEGV) while running it (exit code 139)")
                    .contains("The task has maxRetries=0, so it was not retried.");
            assertThat(n.node.attempts(t.getTaskId())).hasSize(1);
        }
    }

    @Test
    void anExceptionIsRetriedOnlyWhenRetryExceptionsAllowsIt() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec retried = n.driver.submit(n.driver.task("flaky").setMaxRetries(1).setRetryExceptions(true)
                    .addRetryExceptionClasses("java.io.IOException"));
            FakeWorker w = n.workers.runnerOf(retried.getTaskId());
            w.complete(retried.getTaskId(), Serializer.error(new SondeException("flaky")), "java.io.IOException");
            assertThat(n.workers.runnerOf(retried.getTaskId(), 1)).isSameAs(w);
            w.complete(retried.getTaskId(), Serializer.value("ok"));
            assertThat(n.driver.result(retried)).isEqualTo("ok");
            assertThat(n.node.attempts(retried.getTaskId())).extracting(Attempt::ending, Attempt::detail)
                    .containsExactly(tuple(Attempt.Ending.THREW, "SondeException"),
                            tuple(Attempt.Ending.FINISHED, ""));

            TaskSpec notRetried = n.driver.submit(n.driver.task("broken").setMaxRetries(1).setRetryExceptions(true)
                    .addRetryExceptionClasses("java.io.IOException"));
            w.complete(notRetried.getTaskId(), Serializer.error(new SondeException("broken")), "java.lang.IllegalStateException");
            assertThat(n.driver.result(notRetried)).isInstanceOf(SondeException.class).asString().contains("broken");
            assertThat(n.node.attempts(notRetried.getTaskId())).hasSize(1);
        }
    }
}
