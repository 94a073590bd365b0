package io.sonde;

import io.sonde.proto.ActorInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Actors are admitted by the resources they hold for their life, as tasks are: on a 1-CPU node. */
class ActorAdmissionTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(1).resource("GPU", 1);

    public static final class Holder {
        public long pid() {
            return ProcessHandle.current().pid();
        }
    }

    private static ActorInfo.State state(ActorHandle<?> a) {
        return cluster.nodeManager().listActors().stream().filter(x -> x.getActorId().equals(a.actorId()))
                .map(ActorInfo::getState).findFirst().orElseThrow();
    }

    @Test
    void anActorThatDoesNotFitWaitsUntilTheCpuIsFreeAndTasksAreNotStarved() {
        ActorHandle<Holder> first = Sonde.actor(Holder::new).numCpus(1).remote();
        Sonde.get(first.task(Holder::pid).remote(), Duration.ofSeconds(60));

        ActorHandle<Holder> second = Sonde.actor(Holder::new).numCpus(1).remote();
        ObjectRef<Long> secondPid = second.task(Holder::pid).remote();
        await("the second actor waits for the CPU the first holds").during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> state(second) == ActorInfo.State.PENDING_CREATION
                        && Sonde.wait(java.util.List.of(secondPid), 1, Duration.ZERO).ready().isEmpty());

        Sonde.kill(first);
        assertThat(Sonde.get(secondPid, Duration.ofSeconds(60))).isPositive();
        assertThat(state(second)).isEqualTo(ActorInfo.State.ALIVE);

        ObjectRef<Integer> task = Sonde.task(() -> 7).numCpus(1).remote();
        Sonde.kill(second);
        assertThat(Sonde.get(task, Duration.ofSeconds(60))).isEqualTo(7);
    }

    @Test
    void anActorHoldsItsCustomResourceForItsLifeAndOneThatAsksForMoreThanAnyNodeHasFailsAtOnce() {
        ActorHandle<Holder> first = Sonde.actor(Holder::new).resource("GPU", 1).remote();
        Sonde.get(first.task(Holder::pid).remote(), Duration.ofSeconds(60));
        ActorHandle<Holder> second = Sonde.actor(Holder::new).resource("GPU", 1).remote();
        ObjectRef<Long> secondPid = second.task(Holder::pid).remote();
        await("the second actor waits for the GPU the first holds").during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> state(second) == ActorInfo.State.PENDING_CREATION);
        Sonde.kill(first);
        assertThat(Sonde.get(secondPid, Duration.ofSeconds(60))).isPositive();
        Sonde.kill(second);

        ActorHandle<Holder> two = Sonde.actor(Holder::new).resource("GPU", 2).remote();
        assertThatThrownBy(() -> Sonde.get(two.task(Holder::pid).remote(), Duration.ofSeconds(5)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("cannot be scheduled: it needs {CPU: 0, GPU: 2} but no node")
                .hasMessageNotContaining("..").hasMessageNotContaining("maxRestarts");
    }

    @Test
    void workThatWaitsForResourcesThatAnActorHoldsIsToldOnceWhoHoldsThem() {
        ActorHandle<Holder> holder = Sonde.actor(Holder::new).numCpus(1).name("cpu-holder").remote();
        Sonde.get(holder.task(Holder::pid).remote(), Duration.ofSeconds(60));
        ObjectRef<Integer> first = Sonde.task(() -> 1).name("starved").numCpus(1).remote();
        ObjectRef<Integer> second = Sonde.task(() -> 2).name("starved-too").numCpus(1).remote();
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.err().stream().anyMatch(l -> l.contains(
                "warning: task starved (task_id=" + first.id() + ", attempt 0) has waited")));
        String line = cluster.err().stream().filter(l -> l.contains("warning: task starved (")).findFirst().orElseThrow();
        assertThat(line).startsWith("(node-manager, node=")
                .contains("s for resources: it needs {CPU: 1}, this node has {CPU: 0")
                .contains("held now by actor Holder 'cpu-holder' (id=" + holder.actorId() + ") {CPU: 1}")
                .contains("Sonde.kill or handle.terminate() frees them");
        await("the same shape is told once").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> cluster.err().stream().noneMatch(l -> l.contains("warning: task starved-too")));
        Sonde.kill(holder);
        assertThat(Sonde.get(java.util.List.of(first, second), Duration.ofSeconds(60))).containsExactly(1, 2);
    }

    @Test
    void resourceAmountsThatTheSchedulerCannotCountAreRefusedAtOnce() {
        assertThatThrownBy(() -> Sonde.actor(Holder::new).numCpus(0.00005))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numCpus must be a multiple of 0.0001").hasMessageContaining("got 5.0E-5");
        assertThatThrownBy(() -> Sonde.actor(Holder::new).resource("GPU", Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resource GPU must be a finite amount");
        assertThatThrownBy(() -> Sonde.task(() -> 1).resource("GPU", 0.33333))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e.g. to 0.3333");
        assertThatThrownBy(() -> Sonde.task(() -> 1).numCpus(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numCpus must be 0 or more");
        assertThat(Sonde.get(Sonde.task(() -> 1).numCpus(0.0001).remote())).isEqualTo(1);
    }

    @Test
    void optionsThatContradictEachOtherAreRefusedAtSubmitWhateverTheirOrder() {
        assertThatThrownBy(() -> Sonde.actor(Holder::new).maxTaskRetries(2).remote())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTaskRetries(2) retries calls on the restarted actor, and maxRestarts is 0, so the actor"
                        + " is never restarted: give maxRestarts(n) (or -1, forever) too, or leave maxTaskRetries out");
        assertThatThrownBy(() -> Sonde.actor(Holder::new).maxTaskRetries(-1).maxRestarts(0).remote())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxTaskRetries(-1) retries");
        assertThatThrownBy(() -> Sonde.task(() -> 1).retryExceptions(true).maxRetries(0).remote())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("retryExceptions retries a task that threw within maxRetries, and maxRetries is 0");
        assertThatThrownBy(() -> Sonde.task(() -> 1).maxRetries(0).retryExceptions(true).remote())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("so it would never retry");
        assertThatThrownBy(() -> Sonde.task(() -> 1).retryExceptions(java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("retryExceptions got no exception classes, so it would retry none");
        // what the refusals leave allowed
        ActorHandle<Holder> retried = Sonde.actor(Holder::new).maxTaskRetries(1).maxRestarts(1).remote();
        assertThat(Sonde.get(retried.task(Holder::pid).remote(), Duration.ofSeconds(60))).isPositive();
        Sonde.kill(retried);
        assertThat(Sonde.get(Sonde.task(() -> 2).retryExceptions(false).maxRetries(0).remote())).isEqualTo(2);
    }

    @Test
    void anActorThatCanNeverFitFailsAtOnce() {
        ActorHandle<Holder> huge = Sonde.actor(Holder::new).numCpus(64).remote();
        assertThatThrownBy(() -> Sonde.get(huge.task(Holder::pid).remote(), Duration.ofSeconds(5)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("cannot be scheduled: it needs {CPU: 64}");
    }

    @Test
    void anActorWithAHardAffinityToANodeNotInTheClusterFailsAtOnceAndOneToThisNodeRuns() {
        ActorHandle<Holder> lost = Sonde.actor(Holder::new)
                .scheduling(SchedulingStrategy.nodeAffinity("no-such-node", false)).remote();
        assertThatThrownBy(() -> Sonde.get(lost.task(Holder::pid).remote(), Duration.ofSeconds(5)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("cannot be scheduled: its scheduling strategy nodeAffinity(no-such-node, soft=false)"
                        + " names a node that is not in this cluster");
        ActorHandle<Holder> here = Sonde.actor(Holder::new)
                .scheduling(SchedulingStrategy.nodeAffinity(Sonde.context().nodeId(), false)).remote();
        assertThat(Sonde.get(here.task(Holder::pid).remote(), Duration.ofSeconds(30))).isPositive();
        Sonde.kill(here);
    }
}
