package io.sonde.internal.node;

import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.internal.serialization.Serializer;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spare workers: a job that ran work keeps an idle worker started ahead, so that a task retried
 * after its worker crashed, or an actor restarted, does not wait for a JVM to start.
 */
class SpareWorkerTest {
    private static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path dir;

    /** The workers launched so far that said hello and got no task. */
    private static List<FakeWorker> idle(FakeNode n) {
        return n.workers.launched().stream().filter(w -> !w.exited() && w.commands().stream().noneMatch(c -> c.hasExecute()))
                .toList();
    }

    @Test
    void aTaskRetriedAfterACrashRunsOnTheSpareWithoutALaunch() {
        try (FakeNode n = FakeNode.withSpares(2, 1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("load").setMaxRetries(1));
            FakeWorker first = n.workers.runnerOf(t.getTaskId());
            // the spare is started once the job has its first worker busy, and stays one
            await().atMost(Duration.ofSeconds(5)).until(() -> n.workers.launched().size() == 2);
            FakeWorker spare = n.workers.launched().get(1);
            await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> n.workers.launched().size() == 2);

            first.crash(137);

            // must not be lost: the retry goes to the worker that was waiting, not to a new JVM
            assertThat(n.workers.runnerOf(t.getTaskId(), 1)).isSameAs(spare);
            spare.complete(t.getTaskId(), Serializer.value("loaded"));
            assertThat(n.driver.result(t)).isEqualTo("loaded");
            // and a new spare replaces the one taken
            await().atMost(Duration.ofSeconds(5)).until(() -> idle(n).size() == 1 && n.workers.launched().size() == 3);
        }
    }

    @Test
    void aSpareThatSaysHelloWhileTheWarmWorkerIsIdleDoesNotTakeItsNextTask() {
        try (FakeNode n = FakeNode.withSpares(2, 1, dir)) {
            n.workers.start(FakeWorkerLauncher.Start.SILENT);
            TaskSpec t = n.driver.submit(n.driver.task("first"));
            n.workers.worker(0).hello(n.node);
            FakeWorker warm = n.workers.runnerOf(t.getTaskId());
            FakeWorker fresh = n.workers.worker(1);
            warm.complete(t.getTaskId(), Serializer.value(0));
            assertThat(n.driver.result(t)).isEqualTo(0);
            // the spare's JVM was slow to start: it says hello after the warm worker went idle
            fresh.hello(n.node);

            for (int i = 1; i <= 3; i++) {
                TaskSpec next = n.driver.submit(n.driver.task("next" + i));
                // must not be lost: the job's JIT-warm worker runs its tasks; the fresh JVM stays the spare
                assertThat(n.workers.runnerOf(next.getTaskId())).isSameAs(warm);
                warm.complete(next.getTaskId(), Serializer.value(i));
                assertThat(n.driver.result(next)).isEqualTo(i);
            }
            assertThat(fresh.commands()).noneMatch(c -> c.hasExecute());
        }
    }

    @Test
    void anActorRestartTakesTheSpareAndItsCallsGoThere() {
        try (FakeNode n = FakeNode.withSpares(2, 1, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setMaxRestarts(1));
            FakeWorker host = n.workers.runnerOf(actor.getTaskId());
            host.complete(actor.getTaskId(), Serializer.value(null));
            await().atMost(Duration.ofSeconds(5)).until(() -> idle(n).size() == 1);
            FakeWorker spare = idle(n).get(0);

            host.crash(137);

            assertThat(n.workers.runnerOf(actor.getTaskId(), 1)).isSameAs(spare);
            spare.complete(actor.getTaskId(), Serializer.value(null));
            TaskSpec call = n.driver.submit(n.driver.call(actor, "increment"));
            assertThat(spare.awaitTask(call.getTaskId())).isNotNull();
            spare.complete(call.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(call)).isEqualTo(1);
            assertThat(n.node.listActors()).singleElement().satisfies(a -> {
                assertThat(a.getState()).isEqualTo(ActorInfo.State.ALIVE);
                assertThat(a.getPid()).isEqualTo(spare.pid());
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> idle(n).size() == 1);
        }
    }

    @Test
    void aNodeWithoutSparesStartsWorkersOnlyForWork() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("load"));
            n.workers.runnerOf(t.getTaskId()).complete(t.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(t)).isEqualTo(1);
            await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> n.workers.launched().size() == 1);
        }
    }
}
