package io.sonde;

import io.sonde.proto.ActorInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An actor whose process dies in the middle of a long run of calls: the calls that finished keep
 * their results, exactly the call that was running fails, and the calls queued behind it run on
 * the restarted actor.
 */
class ActorCrashTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    public static final class Steps {
        /** Call {@code i} returns the pid it ran in; call 100 halts the JVM. */
        public long step(int i) {
            if (i == 100) {
                Runtime.getRuntime().halt(3);
            }
            return ProcessHandle.current().pid();
        }

        public long pid() {
            return ProcessHandle.current().pid();
        }
    }

    @Test
    void aCrashFailsOnlyTheRunningCallKeepsFinishedResultsAndRunsTheQueuedCallsOnTheRestartedActor() {
        ActorHandle<Steps> a = Sonde.actor(Steps::new).maxRestarts(1).maxTaskRetries(0).remote();
        long firstPid = Sonde.get(a.task(Steps::pid).remote(), Duration.ofSeconds(60));
        List<ObjectRef<Long>> calls = new ArrayList<>();
        // `sonde list tasks` in a loop meanwhile: the node is busy, so the worker's last results
        // are still in the node's transport when the process exit is seen
        AtomicBoolean done = new AtomicBoolean();
        Thread lister = new Thread(() -> {
            while (!done.get()) {
                cluster.nodeManager().listTasks();
            }
        }, "list-tasks");
        lister.start();
        try {
            for (int i = 1; i <= 200; i++) {
                calls.add(a.task(Steps::step, i).remote());
            }
            Sonde.wait(calls, calls.size(), Duration.ofSeconds(60));
        } finally {
            done.set(true);
        }

        for (int i = 1; i < 100; i++) {
            assertThat(Sonde.get(calls.get(i - 1), Duration.ofSeconds(60))).as("call %d", i).isEqualTo(firstPid);
        }
        assertThatThrownBy(() -> Sonde.get(calls.get(99), Duration.ofSeconds(60)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("Steps.step")
                .hasMessageContaining("died while running it")
                .hasMessageContaining("pid=" + firstPid)
                .hasMessageContaining("code 3");
        long secondPid = Sonde.get(calls.get(100), Duration.ofSeconds(60));
        assertThat(secondPid).isNotEqualTo(firstPid);
        for (int i = 101; i <= 200; i++) {
            assertThat(Sonde.get(calls.get(i - 1), Duration.ofSeconds(60))).as("call %d", i).isEqualTo(secondPid);
        }
        assertThat(cluster.nodeManager().listActors()).filteredOn(x -> x.getActorId().equals(a.actorId()))
                .singleElement().satisfies(x -> {
                    assertThat(x.getState()).isEqualTo(ActorInfo.State.ALIVE);
                    assertThat(x.getRestarts()).isEqualTo(1);
                    assertThat(x.getPid()).isEqualTo(secondPid);
                });
    }
}
