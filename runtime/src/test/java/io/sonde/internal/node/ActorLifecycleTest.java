package io.sonde.internal.node;

import io.sonde.ActorDiedException;
import io.sonde.SondeException;
import io.sonde.internal.node.FakeWorkerLauncher.FakeWorker;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.TaskSpec;
import io.sonde.internal.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An actor's life on in-process workers: creation, calls, restarts and death. */
class ActorLifecycleTest {
    @TempDir
    Path dir;

    /** Lets the actor's first constructor succeed; returns its worker. */
    private static FakeWorker alive(FakeNode n, TaskSpec actor) {
        return alive(n, actor, n.workers.runnerOf(actor.getTaskId()));
    }

    /** Lets the constructor that {@code host} got last succeed. */
    private static FakeWorker alive(FakeNode n, TaskSpec actor, FakeWorker host) {
        host.complete(actor.getTaskId(), Serializer.value(null));
        await().atMost(Duration.ofSeconds(5)).until(() -> state(n, actor) == ActorInfo.State.ALIVE);
        return host;
    }

    private static ActorInfo.State state(FakeNode n, TaskSpec actor) {
        return n.node.listActors().stream().filter(a -> a.getActorId().equals(actor.getActorId()))
                .map(ActorInfo::getState).findFirst().orElse(ActorInfo.State.STATE_UNSPECIFIED);
    }

    @Test
    void callsRunOnTheActorsWorkerInOrder() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter"));
            TaskSpec first = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec second = n.driver.submit(n.driver.call(actor, "increment"));
            FakeWorker host = alive(n, actor);

            host.awaitTask(second.getTaskId());
            assertThat(host.commands()).filteredOn(c -> c.hasExecute()).extracting(c -> c.getExecute().getTaskId())
                    .containsExactly(actor.getTaskId(), first.getTaskId(), second.getTaskId());
            host.complete(first.getTaskId(), Serializer.value(1));
            host.complete(second.getTaskId(), Serializer.value(2));
            assertThat(n.driver.result(second)).isEqualTo(2);
        }
    }

    @Test
    void anActorRestartsAfterItsWorkerDiesAndTheRunningCallFailsWithoutMaxTaskRetries() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setMaxRestarts(1));
            FakeWorker host = alive(n, actor);
            TaskSpec running = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec behind = n.driver.submit(n.driver.call(actor, "increment"));
            host.awaitTask(behind.getTaskId());
            host.crash(137);

            assertThat(n.driver.result(running)).isInstanceOf(ActorDiedException.class).asString()
                    .contains("actor call Counter.increment (task_id=" + running.getTaskId() + ") failed")
                    .contains("was killed by signal 9 (SIGKILL) (exit code 137)")
                    .contains("The actor is restarting; set maxTaskRetries to retry calls in flight.");
            FakeWorker restarted = n.workers.runnerOf(actor.getTaskId(), 1);
            assertThat(restarted).isNotSameAs(host);
            alive(n, actor, restarted);
            // the call behind the running one never started: it waits for the restarted actor, as the same attempt
            assertThat(restarted.awaitTask(behind.getTaskId()).getAttempt()).isZero();
            restarted.complete(behind.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(behind)).isEqualTo(1);
            assertThat(n.node.listActors()).singleElement().extracting(ActorInfo::getRestarts).isEqualTo(1);
        }
    }

    @Test
    void aConcurrentActorsWorkerDiesAndTheMaxConcurrencyOldestCallsInFlightCountAsRunning() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setMaxRestarts(1).setMaxTaskRetries(1)
                    .setMaxConcurrency(2));
            FakeWorker host = alive(n, actor);
            TaskSpec done = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec runningA = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec runningB = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec behind = n.driver.submit(n.driver.call(actor, "increment"));
            host.awaitTask(behind.getTaskId());
            host.complete(done.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(done)).isEqualTo(1);
            host.crash(137);

            FakeWorker restarted = n.workers.runnerOf(actor.getTaskId(), 1);
            alive(n, actor, restarted);
            // both of the two oldest calls in flight may have run: each is retried as its next attempt
            assertThat(restarted.awaitTask(runningA.getTaskId()).getAttempt()).isEqualTo(1);
            assertThat(restarted.awaitTask(runningB.getTaskId()).getAttempt()).isEqualTo(1);
            // the call behind them never started: it waits for the restarted actor, as the same attempt
            assertThat(restarted.awaitTask(behind.getTaskId()).getAttempt()).isZero();
            restarted.complete(runningA.getTaskId(), Serializer.value(2));
            restarted.complete(runningB.getTaskId(), Serializer.value(3));
            restarted.complete(behind.getTaskId(), Serializer.value(4));
            assertThat(n.driver.result(runningA)).isEqualTo(2);
            assertThat(n.driver.result(runningB)).isEqualTo(3);
            assertThat(n.driver.result(behind)).isEqualTo(4);
        }
    }

    @Test
    void resultsTheWorkerSentBeforeItDiedAreKeptAndOnlyTheCallItRanFails() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setMaxRestarts(1).setMaxTaskRetries(0));
            FakeWorker host = alive(n, actor);
            TaskSpec first = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec second = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec crashed = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec behind = n.driver.submit(n.driver.call(actor, "increment"));
            host.awaitTask(behind.getTaskId());

            // The process dies while its last two results are still on their way to the node.
            host.exitBeforeStreamEnds(3);
            host.complete(first.getTaskId(), Serializer.value(1));
            host.complete(second.getTaskId(), Serializer.value(2));
            host.endStream();

            assertThat(n.driver.result(first)).isEqualTo(1);
            assertThat(n.driver.result(second)).isEqualTo(2);
            assertThat(n.driver.result(crashed)).isInstanceOf(ActorDiedException.class).asString()
                    .contains("actor call Counter.increment (task_id=" + crashed.getTaskId() + ") failed")
                    .contains("exited with exit code 3");
            FakeWorker restarted = n.workers.runnerOf(actor.getTaskId(), 1);
            alive(n, actor, restarted);
            assertThat(restarted.awaitTask(behind.getTaskId()).getAttempt()).isZero();
            restarted.complete(behind.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(behind)).isEqualTo(1);
            // maxTaskRetries=0: the call that crashed is not run again; the finished ones neither
            assertThat(restarted.commands()).filteredOn(c -> c.hasExecute()).extracting(c -> c.getExecute().getTaskId())
                    .containsExactly(actor.getTaskId(), behind.getTaskId());
            assertThat(n.node.listActors()).singleElement().satisfies(a -> {
                assertThat(a.getState()).isEqualTo(ActorInfo.State.ALIVE);
                assertThat(a.getRestarts()).isEqualTo(1);
            });
        }
    }

    @Test
    void resultsOnlyInTheWorkersJournalAreKeptOnceAndOnlyTheCallItRanFails() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setMaxRestarts(1).setMaxTaskRetries(0));
            FakeWorker host = alive(n, actor);
            TaskSpec delivered = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec journaled = n.driver.submit(n.driver.call(actor, "increment"));
            TaskSpec crashed = n.driver.submit(n.driver.call(actor, "increment"));
            host.awaitTask(crashed.getTaskId());

            // The first result was journaled and sent; the second only journaled: the process
            // died (SIGKILL) before its stream carried it.
            host.send(host.journal(delivered.getTaskId(), Serializer.value(1)));
            assertThat(n.driver.result(delivered)).isEqualTo(1);
            host.journal(journaled.getTaskId(), Serializer.value(2));
            host.crash(137);

            // must not be lost: the result that never crossed the stream
            assertThat(n.driver.result(journaled)).isEqualTo(2);
            assertThat(n.driver.result(crashed)).isInstanceOf(ActorDiedException.class).asString()
                    .contains("actor call Counter.increment (task_id=" + crashed.getTaskId() + ") failed");
            FakeWorker restarted = n.workers.runnerOf(actor.getTaskId(), 1);
            alive(n, actor, restarted);
            // the journaled calls are not run again (the delivered one's entry was stale, dropped)
            assertThat(restarted.commands()).filteredOn(c -> c.hasExecute()).extracting(c -> c.getExecute().getTaskId())
                    .containsExactly(actor.getTaskId());
            assertThat(n.driver.result(delivered)).isEqualTo(1);
        }
    }

    @Test
    void aTaskResultOnlyInTheWorkersJournalIsKeptAndNotRetried() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("square").setMaxRetries(3));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            w.journal(t.getTaskId(), Serializer.value(49));
            w.crash(137);

            assertThat(n.driver.result(t)).isEqualTo(49);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> n.workers.launched().stream().noneMatch(x -> x != w && x.received(t.getTaskId()) != null));
        }
    }

    @Test
    void aTaskWorkersResultThatArrivesAfterItsExitIsKeptAndNotRetried() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec t = n.driver.submit(n.driver.task("square").setMaxRetries(3));
            FakeWorker w = n.workers.runnerOf(t.getTaskId());
            w.exitBeforeStreamEnds(1);
            w.complete(t.getTaskId(), Serializer.value(49));
            w.endStream();

            assertThat(n.driver.result(t)).isEqualTo(49);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> n.workers.launched().stream().noneMatch(x -> x != w && x.received(t.getTaskId()) != null));
        }
    }

    @Test
    void anActorThatDoesNotFitWaitsPendingAndStartsWhenTheResourcesAreFree() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec first = n.driver.submit(n.driver.actor("Counter").setNumCpus(1));
            FakeWorker firstHost = alive(n, first);
            TaskSpec second = n.driver.submit(n.driver.actor("Counter").setNumCpus(1));
            TaskSpec task = n.driver.submit(n.driver.task("square").setNumCpus(1));

            await("the second actor waits for the CPU the first holds").during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> n.workers.launched().stream().noneMatch(w -> w.received(second.getTaskId()) != null)
                            && state(n, second) == ActorInfo.State.PENDING_CREATION);
            assertThat(n.workers.launched().stream().noneMatch(w -> w.received(task.getTaskId()) != null)).isTrue();

            n.driver.kill(first, true);
            FakeWorker secondHost = alive(n, second);
            assertThat(secondHost).isNotSameAs(firstHost);
            await("the task waits for the CPU the second actor holds").during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> n.workers.launched().stream().noneMatch(w -> w.received(task.getTaskId()) != null));

            n.driver.kill(second, true);
            n.workers.runnerOf(task.getTaskId()).complete(task.getTaskId(), Serializer.value(4));
            assertThat(n.driver.result(task)).isEqualTo(4);
        }
    }

    @Test
    void anActorThatCanNeverFitFailsAtOnce() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setNumCpus(64));
            TaskSpec call = n.driver.submit(n.driver.call(actor, "increment"));
            assertThat(n.driver.result(call)).isInstanceOf(ActorDiedException.class).asString()
                    .contains("cannot be scheduled: it needs {CPU: 64}");
            assertThat(state(n, actor)).isEqualTo(ActorInfo.State.DEAD);
        }
    }

    @Test
    void theRunningCallIsRetriedOnTheRestartedActorWithMaxTaskRetries() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setMaxRestarts(1).setMaxTaskRetries(1));
            FakeWorker host = alive(n, actor);
            TaskSpec call = n.driver.submit(n.driver.call(actor, "increment"));
            host.awaitTask(call.getTaskId());
            host.crash(137);

            FakeWorker restarted = n.workers.runnerOf(actor.getTaskId(), 1);
            alive(n, actor, restarted);
            assertThat(n.workers.runnerOf(call.getTaskId(), 1)).isSameAs(restarted);
            restarted.complete(call.getTaskId(), Serializer.value(5));
            assertThat(n.driver.result(call)).isEqualTo(5);
        }
    }

    @Test
    void anActorWithoutRestartsDiesWithItsWorkerAndLaterCallsFailAtOnce() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter"));
            FakeWorker host = alive(n, actor);
            int launched = n.workers.launched().size();
            host.crash(137);
            await().atMost(Duration.ofSeconds(5)).until(() -> state(n, actor) == ActorInfo.State.DEAD);

            TaskSpec late = n.driver.submit(n.driver.call(actor, "increment"));
            assertThat(n.driver.result(late)).isInstanceOf(ActorDiedException.class).asString()
                    .contains("The actor Counter (id=" + actor.getActorId() + ") is dead: its worker process")
                    .contains("It had maxRestarts=0; give it maxRestarts(n) to have it restarted.");
            assertThat(n.workers.launched()).as("no worker is started for a dead actor").hasSize(launched);
        }
    }

    @Test
    void anActorKilledWithoutRestartFailsItsCallsAndIsNotStartedAgain() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setMaxRestarts(3));
            FakeWorker host = alive(n, actor);
            TaskSpec call = n.driver.submit(n.driver.call(actor, "increment"));
            host.awaitTask(call.getTaskId());
            int launched = n.workers.launched().size();
            n.driver.kill(actor, true);

            assertThat(n.driver.result(call)).isInstanceOf(ActorDiedException.class).asString()
                    .contains("is dead: it was killed by Sonde.kill.");
            assertThat(host.exited()).isTrue();
            await().during(Duration.ofMillis(300)).until(() -> n.workers.launched().size() == launched);
        }
    }

    @Test
    void anActorWhoseConstructorThrowsIsDeadForItsCalls() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter").setMaxRestarts(3));
            TaskSpec call = n.driver.submit(n.driver.call(actor, "increment"));
            FakeWorker host = n.workers.runnerOf(actor.getTaskId());
            host.complete(actor.getTaskId(), Serializer.error(new SondeException("no config")));

            assertThat(n.driver.result(call)).isInstanceOf(ActorDiedException.class).asString()
                    .contains("The actor Counter (id=" + actor.getActorId() + ") died because its constructor threw");
            await().atMost(Duration.ofSeconds(5)).until(host::exited);
            assertThat(state(n, actor)).isEqualTo(ActorInfo.State.DEAD);
        }
    }

    @Test
    void aDriverIsToldWhenTheNodesWorkersReachTwentyAndAgainWhenTheyDouble() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            for (int i = 0; i < 18; i++) { // actors that hold no CPU: as many as the user asks for
                alive(n, n.driver.submit(n.driver.actor("Counter").setNumCpus(0)));
            }
            assertThat(n.node.listWorkers()).hasSizeLessThan(20);
            assertThat(n.driver.nodeLines()).noneMatch(l -> l.contains("worker processes have been started"));
            for (int i = 0; i < 3; i++) {
                alive(n, n.driver.submit(n.driver.actor("Counter").setNumCpus(0)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> n.driver.nodeLines().stream()
                    .anyMatch(l -> l.contains("worker processes have been started on this node (2 CPUs)")));
            assertThat(n.driver.nodeLines()).filteredOn(l -> l.contains("worker processes have been started"))
                    .singleElement().asString().startsWith("warning: 20 worker processes")
                    .contains("Every actor has a worker of its own").contains("(Told again at 40.)");
        }
    }

    @Test
    void aDriverIsToldWhenFiveThousandCallsArePendingOnOneActor() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter"));
            alive(n, actor);
            for (int i = 0; i < 4999; i++) {
                n.driver.submit(n.driver.call(actor, "add"));
            }
            await("not before 5000").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(20))
                    .until(() -> n.driver.nodeLines().stream().noneMatch(l -> l.contains("calls are pending")));
            n.driver.submit(n.driver.call(actor, "add"));
            await().atMost(Duration.ofSeconds(10)).until(() -> n.driver.nodeLines().stream()
                    .anyMatch(l -> l.startsWith("warning: 5000 calls are pending on the actor Counter (id="
                            + actor.getActorId() + ")")));
            assertThat(n.driver.nodeLines()).filteredOn(l -> l.contains("calls are pending")).singleElement()
                    .asString().contains("(Told again at 10000.)");
        }
    }

    @Test
    void anActorWhoseLastHandleWentEndsWithATerminateOfTheNodeOnceItsPendingCallHasRun() {
        try (FakeNode n = FakeNode.withCpus(2, dir)) {
            TaskSpec actor = n.driver.submit(n.driver.actor("Counter"));
            FakeWorker host = alive(n, actor);
            TaskSpec call = n.driver.submit(n.driver.call(actor, "increment"));
            host.awaitTask(call.getTaskId());
            n.driver.releaseHandles(actor);

            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> host.commands().stream().noneMatch(c -> c.hasExecute() && c.getExecute().getTerminate()));
            host.complete(call.getTaskId(), Serializer.value(1));
            assertThat(n.driver.result(call)).isEqualTo(1);
            TaskSpec end = await().atMost(Duration.ofSeconds(5)).until(() -> host.commands().stream()
                    .filter(c -> c.hasExecute() && c.getExecute().getTerminate()).map(c -> c.getExecute())
                    .findFirst().orElse(null), s -> s != null);
            assertThat(end.getActorId()).isEqualTo(actor.getActorId());
            assertThat(end.getTerminateReason()).contains("its last handle went");
            assertThat(state(n, actor)).as("alive until its close() ran").isEqualTo(ActorInfo.State.ALIVE);

            host.send(io.sonde.proto.TaskDone.newBuilder().setTaskId(end.getTaskId()).setResult(Serializer.value(null))
                    .setActorExit(end.getTerminateReason()).build());
            await().atMost(Duration.ofSeconds(5)).until(() -> state(n, actor) == ActorInfo.State.DEAD);
            assertThat(n.node.listActors()).singleElement().extracting(ActorInfo::getDeathCause).asString()
                    .contains("it went out of scope: its last handle went");
            await().atMost(Duration.ofSeconds(5)).until(() -> host.commands().stream().anyMatch(c -> c.hasExit()));
        }
    }

    @Test
    void anActorWhoseLastHandleWentBeforeItStartedDiesAtOnce() {
        try (FakeNode n = FakeNode.withCpus(1, dir)) {
            TaskSpec first = n.driver.submit(n.driver.actor("Counter"));
            alive(n, first); // holds the node's only CPU
            TaskSpec waiting = n.driver.submit(n.driver.actor("Counter"));
            n.driver.releaseHandles(waiting);

            await().atMost(Duration.ofSeconds(5)).until(() -> state(n, waiting) == ActorInfo.State.DEAD);
            assertThat(n.node.listActors()).filteredOn(a -> a.getActorId().equals(waiting.getActorId())).singleElement()
                    .extracting(ActorInfo::getDeathCause).asString()
                    .contains("it went out of scope before it started: its last handle went");
            assertThat(state(n, first)).isEqualTo(ActorInfo.State.ALIVE);
        }
    }
}
