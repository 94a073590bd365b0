package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static io.sonde.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActorTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    public static final class Counter {
        private int n;

        public Counter(int start) {
            n = start;
        }

        public int increment() {
            return ++n;
        }

        public void add(int k) {
            n += k;
        }

        public int get() {
            return n;
        }

        public long pid() {
            return ProcessHandle.current().pid();
        }

        public int crash() {
            Runtime.getRuntime().halt(3);
            return -1;
        }

        public int fail() {
            throw new IllegalArgumentException("counter says no");
        }

        public byte[] bytes(int size, int seed) {
            byte[] b = new byte[size];
            java.util.Arrays.fill(b, (byte) seed);
            return b;
        }
    }

    public static final class Broken {
        public Broken() {
            throw new IllegalStateException("no config");
        }

        public int get() {
            return 0;
        }
    }

    @Test
    void callsFromOneHandleRunInSubmissionOrderAndKeepState() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 10).remote();
        c.task(Counter::add, 5).remote();
        List<ObjectRef<Integer>> refs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            refs.add(c.task(Counter::increment).remote());
        }
        assertThat(Sonde.get(refs)).containsExactlyElementsOf(IntStream.rangeClosed(16, 115).boxed().toList());
        assertThat(Sonde.get(c.task(Counter::get).remote())).isEqualTo(115);
    }

    /**
     * The worker keeps results in a 1 MiB journal and asks for the node's receipt only once it is
     * half full, or for a result too large for it (over 256 KiB): results that fill it several
     * times over, sent back to back and one by one, and results too large for it, all arrive
     * whole and in order; none is lost and no call waits forever for a receipt.
     */
    @Test
    void resultsThatFillTheWorkersJournalOrAreTooLargeForItAllArrive() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 0).remote();
        List<ObjectRef<byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            batch.add(c.task(Counter::bytes, 100_000, i).remote());
        }
        List<byte[]> got = Sonde.get(batch, Duration.ofSeconds(60));
        for (int i = 0; i < 30; i++) {
            assertThat(got.get(i)).hasSize(100_000).startsWith((byte) i).endsWith((byte) i);
        }
        for (int i = 0; i < 15; i++) {
            assertThat(Sonde.get(c.task(Counter::bytes, 100_000, i).remote(), Duration.ofSeconds(30)))
                    .hasSize(100_000).endsWith((byte) i);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(Sonde.get(c.task(Counter::bytes, 300_000, 40 + i).remote(), Duration.ofSeconds(30)))
                    .hasSize(300_000).endsWith((byte) (40 + i));
        }
        assertThat(Sonde.get(c.task(Counter::increment).remote(), Duration.ofSeconds(30))).isEqualTo(1);
        Sonde.kill(c);
    }

    @Test
    void namedActorIsFoundByNameAndNamesAreUnique() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 1).name("counter").remote();
        Sonde.get(c.task(Counter::increment).remote());
        ActorHandle<Counter> same = Sonde.<Counter>getActor("counter").orElseThrow();
        assertThat(Sonde.get(same.task(Counter::increment).remote())).isEqualTo(3);
        assertThat(Sonde.getActor("nobody")).isEmpty();
        assertThatThrownBy(() -> Sonde.actor(Counter::new, 1).name("counter").remote())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
        Sonde.kill(c);
    }

    @Test
    void actorMethodExceptionSaysWhichActorAndMethod() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 0).remote();
        assertThatThrownBy(() -> Sonde.get(c.task(Counter::fail).remote()))
                .isInstanceOf(TaskException.class)
                .hasMessageStartingWith("actor Counter.fail (pid=")
                .hasMessageContaining("actor=" + c.actorId())
                .hasCauseInstanceOf(IllegalArgumentException.class);
        // the actor survives its method's exception
        assertThat(Sonde.get(c.task(Counter::increment).remote())).isEqualTo(1);
    }

    @Test
    void failingConstructorKillsTheActorWithTheCauseAttached() {
        ActorHandle<Broken> b = Sonde.actor(Broken::new).remote();
        assertThatThrownBy(() -> Sonde.get(b.task(Broken::get).remote(), Duration.ofSeconds(30)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("constructor threw")
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void killedActorFailsItsCallsAndIsNotRestarted() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 0).maxRestarts(2).remote();
        long pid = Sonde.get(c.task(Counter::pid).remote());
        Sonde.kill(c);
        assertThatThrownBy(() -> Sonde.get(c.task(Counter::increment).remote(), Duration.ofSeconds(30)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("Sonde.kill");
        // calls fail as soon as the kill is decided; the process is reaped a moment later
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !alive(pid));
    }

    @Test
    void crashedActorIsRestartedWithItsConstructorAndLaterCallsWaitForIt() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 100).maxRestarts(1).remote();
        long firstPid = Sonde.get(c.task(Counter::pid).remote());
        Sonde.get(c.task(Counter::increment).remote());
        ObjectRef<Integer> crash = c.task(Counter::crash).remote();
        ObjectRef<Integer> after = c.task(Counter::increment).remote();
        assertThatThrownBy(() -> Sonde.get(crash, Duration.ofSeconds(30)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("restarting");
        // state starts over: the constructor ran again in a new process
        assertThat(Sonde.get(after, Duration.ofSeconds(30))).isEqualTo(101);
        assertThat(Sonde.get(c.task(Counter::pid).remote())).isNotEqualTo(firstPid);
        // no restarts left: the next crash is final
        ObjectRef<Integer> crashAgain = c.task(Counter::crash).remote();
        assertThatThrownBy(() -> Sonde.get(crashAgain, Duration.ofSeconds(30))).isInstanceOf(ActorDiedException.class);
        assertThatThrownBy(() -> Sonde.get(c.task(Counter::get).remote(), Duration.ofSeconds(30)))
                .isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("is dead");
    }

    @Test
    void killWithRestartAllowedBringsTheActorBackAndCallsMadeMeanwhileWaitWhenTheyMayRetry() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 5).maxRestarts(1).maxTaskRetries(1).remote();
        long pid = Sonde.get(c.task(Counter::pid).remote());
        Sonde.kill(c, false);
        assertThat(Sonde.get(c.task(Counter::increment).remote(), Duration.ofSeconds(30))).isEqualTo(6);
        assertThat(Sonde.get(c.task(Counter::pid).remote())).isNotEqualTo(pid);
    }

    @Test
    void aCallMadeWhileAnActorWithoutTaskRetriesRestartsFailsAtOnceSayingSo() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 5).maxRestarts(1).remote();
        Sonde.get(c.task(Counter::pid).remote());
        Sonde.kill(c, false);
        assertThatThrownBy(() -> Sonde.get(c.task(Counter::increment).remote(), Duration.ofSeconds(10)))
                .isInstanceOf(ActorUnavailableException.class).isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("is restarting (it was killed by Sonde.kill(actor, false)) and calls to it have no retries")
                .hasMessageContaining("maxTaskRetries(n)");
        // once the new instance is alive, calls run on it
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Sonde.get(c.task(Counter::increment).remote(), Duration.ofSeconds(5)) == 6);
    }

    @Test
    void maxTaskRetriesRetriesTheCallThatWasRunningWhenTheActorDied() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 0).maxRestarts(1).maxTaskRetries(1).remote();
        ObjectRef<Integer> r = c.task((Counter k) -> {
            if (Sonde.context().attemptNumber() == 0) {
                Runtime.getRuntime().halt(9);
            }
            return k.increment() + 1000 * Sonde.context().attemptNumber();
        }).remote();
        assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(1001);
    }

    @Test
    void actorHandlesCanBePassedToTasks() {
        ActorHandle<Counter> c = Sonde.actor(Counter::new, 0).remote();
        ObjectRef<Integer> viaTask = Sonde.task((ActorHandle<Counter> h) -> Sonde.get(h.task(Counter::increment).remote()), c)
                .remote();
        assertThat(Sonde.get(viaTask)).isEqualTo(1);
        assertThat(Sonde.get(c.task(Counter::get).remote())).isEqualTo(1);
        assertThat(Sonde.get(c.task((Counter k) -> Sonde.context().actorId()).remote())).isEqualTo(c.actorId());
    }
}
