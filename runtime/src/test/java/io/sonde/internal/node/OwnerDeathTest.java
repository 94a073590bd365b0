package io.sonde.internal.node;

import io.sonde.ActorDiedException;
import io.sonde.OwnerDiedException;
import io.sonde.WorkerCrashedException;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.serialization.Serializer;
import io.sonde.proto.Arg;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When a client session ends (its worker died, its driver exited), the work it owns ends with
 * it, as in Ray's ownership model: nested tasks stop and free their CPUs, its actors die, and
 * whoever waits for its objects fails instead of waiting.
 */
class OwnerDeathTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration BOUND = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static Optional<TaskInfo> info(FakeNode n, TaskSpec t) {
        return n.node.listTasks().stream().filter(i -> i.getTaskId().equals(t.getTaskId())).findFirst();
    }

    /** The parent task runs on its worker, whose client then submits work of its own. */
    private static FakeClient clientOf(FakeNode n, FakeWorker w) {
        return FakeClient.worker(n.node, n.driver.jobId(), w.workerId());
    }

    private static String ownerText(TaskSpec parent, FakeWorker w) {
        return "its owner, task parent (task_id=" + parent.getTaskId() + ") on worker " + w.workerId()
                + " (pid " + w.pid() + "), died";
    }

    @Test
    void aRunningNestedTaskIsStoppedWhenItsOwnersWorkerDiesAndItsCpuIsFreed() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec parent = n.driver.submit(n.driver.task("parent"));
            FakeWorker owner = n.workers.runnerOf(parent.getTaskId());
            FakeClient ownerClient = clientOf(n, owner);
            TaskSpec child = ownerClient.submit(ownerClient.task("child").setParentTaskId(parent.getTaskId())
                    .setMaxRetries(3));
            FakeWorker childWorker = n.workers.runnerOf(child.getTaskId());

            owner.crash(137);
            ownerClient.close();

            assertThat(n.driver.result(parent)).isInstanceOf(WorkerCrashedException.class);
            await().atMost(BOUND).until(childWorker::exited);
            await().atMost(BOUND).until(() -> info(n, child).map(TaskInfo::getState).orElse(null) == TaskInfo.State.FAILED);
            assertThat(info(n, child)).hasValueSatisfying(i -> {
                assertThat(i.getErrorType()).isEqualTo("OwnerDiedException");
                assertThat(i.getErrorMessage()).isEqualTo(ownerText(parent, owner));
            });
            // not retried despite maxRetries: its owner is gone
            await().during(QUIET).until(() -> n.workers.launched().stream().filter(x -> x != childWorker)
                    .allMatch(x -> x.received(child.getTaskId()) == null));
            // both CPUs are free again: two tasks run at once
            TaskSpec a = n.driver.submit(n.driver.task("a"));
            TaskSpec b = n.driver.submit(n.driver.task("b"));
            assertThat(n.workers.runnerOf(a.getTaskId())).isNotSameAs(n.workers.runnerOf(b.getTaskId()));
        }
    }

    @Test
    void aWaitingNestedTaskLeavesTheQueueAndWhoeverWaitsForItFails() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec parent = n.driver.submit(n.driver.task("parent"));
            FakeWorker owner = n.workers.runnerOf(parent.getTaskId());
            FakeClient ownerClient = clientOf(n, owner);
            // no CPU is free while the parent runs: the child waits in the queue
            TaskSpec child = ownerClient.submit(ownerClient.task("child").setParentTaskId(parent.getTaskId()));
            // the driver waits on the child's result as an argument of its own task
            TaskSpec consumer = n.driver.submit(n.driver.task("consumer").setNumCpus(0)
                    .addArgs(Arg.newBuilder().setRefId(child.getReturnId())));

            ownerClient.close();

            assertThat(n.driver.result(consumer)).isInstanceOf(OwnerDiedException.class).asString()
                    .contains("task child").contains(ownerText(parent, owner));
            owner.complete(parent.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(parent)).isEqualTo(1);
            await().during(QUIET).until(() -> n.workers.launched().stream()
                    .allMatch(x -> x.received(child.getTaskId()) == null));
            assertThat(info(n, child).map(TaskInfo::getState)).hasValue(TaskInfo.State.FAILED);
        }
    }

    @Test
    void anActorCreatedByATaskWhoseWorkerDiesAnswersNoMore() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec parent = n.driver.submit(n.driver.task("parent"));
            FakeWorker owner = n.workers.runnerOf(parent.getTaskId());
            FakeClient ownerClient = clientOf(n, owner);
            TaskSpec actor = ownerClient.submit(ownerClient.actor("Counter").setParentTaskId(parent.getTaskId())
                    .setMaxRestarts(5));
            FakeWorker host = n.workers.runnerOf(actor.getTaskId());
            // as a real worker does: the constructor's result goes into the journal, then is sent
            // (read again from the journal when the host is killed, it is stale: the actor stays dead)
            host.send(host.journal(actor.getTaskId(), Serializer.value(null)));
            TaskSpec call = n.driver.submit(n.driver.call(actor, "increment"));
            host.awaitTask(call.getTaskId());

            owner.crash(137);
            ownerClient.close();

            await().atMost(BOUND).until(host::exited);
            assertThat(n.driver.result(call)).isInstanceOf(ActorDiedException.class).asString()
                    .contains("actor Counter").contains(ownerText(parent, owner));
            TaskSpec later = n.driver.submit(n.driver.call(actor, "increment"));
            assertThat(n.driver.result(later)).isInstanceOf(ActorDiedException.class).asString()
                    .contains(ownerText(parent, owner));
            // not restarted despite maxRestarts: only the one host was ever started for it
            await().during(QUIET).until(() -> n.workers.launched().stream().filter(x -> x != host)
                    .allMatch(x -> x.received(actor.getTaskId()) == null));
        }
    }

    @Test
    void anActorWhoseOwnerDiedBeforeItsConstructorArgumentWasReadyFailsItsCallers() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec parent = n.driver.submit(n.driver.task("parent"));
            FakeWorker owner = n.workers.runnerOf(parent.getTaskId());
            FakeClient ownerClient = clientOf(n, owner);
            // the constructor's argument: a task that runs and does not return
            TaskSpec arg = ownerClient.submit(ownerClient.task("slowArg").setParentTaskId(parent.getTaskId()));
            FakeWorker argWorker = n.workers.runnerOf(arg.getTaskId());
            TaskSpec actor = ownerClient.submit(ownerClient.actor("Counter").setParentTaskId(parent.getTaskId())
                    .setNumCpus(0).addArgs(Arg.newBuilder().setRefId(arg.getReturnId())));
            TaskSpec call = n.driver.submit(n.driver.call(actor, "increment"));

            ownerClient.close();

            assertThat(n.driver.result(call)).isInstanceOf(ActorDiedException.class).asString()
                    .contains(ownerText(parent, owner));
            await().atMost(BOUND).until(argWorker::exited);
        }
    }

    @Test
    void aTaskOfADriverThatExitedIsListedAsFailedWithWhy() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            FakeClient driver = FakeClient.driver(n.node);
            TaskSpec running = driver.submit(driver.task("running"));
            FakeWorker w = n.workers.runnerOf(running.getTaskId());
            TaskSpec waiting = driver.submit(driver.task("waiting").setNumCpus(2));

            driver.close();

            await().atMost(BOUND).until(w::exited);
            for (TaskSpec t : new TaskSpec[]{running, waiting}) {
                await().atMost(BOUND).until(() -> info(n, t).map(TaskInfo::getState).orElse(null) == TaskInfo.State.FAILED);
                assertThat(info(n, t)).hasValueSatisfying(i -> {
                    assertThat(i.getErrorType()).isEqualTo("OwnerDiedException");
                    assertThat(i.getErrorMessage()).isEqualTo("its driver (job " + driver.jobId() + ") exited");
                });
            }
        }
    }

    @Test
    void aTaskWaitingForAnObjectOfAJobThatEndedFails() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            FakeClient other = FakeClient.driver(n.node);
            TaskSpec producer = other.submit(other.task("producer"));
            n.workers.runnerOf(producer.getTaskId());
            TaskSpec consumer = n.driver.submit(n.driver.task("consumer")
                    .addArgs(Arg.newBuilder().setRefId(producer.getReturnId())));

            other.close();

            assertThat(n.driver.result(consumer)).isInstanceOf(OwnerDiedException.class).asString()
                    .contains("task producer").contains("its driver (job " + other.jobId() + ") exited");
        }
    }
}
