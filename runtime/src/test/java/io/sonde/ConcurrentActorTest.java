package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Actors created with {@code maxConcurrency(n)} (Ray's threaded actors): up to n of their calls
 * run at once on real worker JVMs, never more; a terminate still waits for the calls before it,
 * and a crash fails the calls that were running.
 */
class ConcurrentActorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    public static final class Gate {
        private final CountDownLatch latch;
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger most = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();

        public Gate(int parties) {
            latch = new CountDownLatch(parties);
        }

        /** Returns its thread's name once {@code parties} calls are in here at once; "alone" when they never are. */
        public String meet() throws InterruptedException {
            latch.countDown();
            return latch.await(20, TimeUnit.SECONDS) ? Thread.currentThread().getName() : "alone";
        }

        /** Stays a while, counting how many calls are in here at once. */
        public int busy(long millis) throws InterruptedException {
            int now = inside.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            Thread.sleep(millis);
            inside.decrementAndGet();
            return finished.incrementAndGet();
        }

        public int most() {
            return most.get();
        }

        public String stop() {
            Sonde.exitActor();
            return "stopped after " + finished.get();
        }

        public long pid() {
            return ProcessHandle.current().pid();
        }

        public int crash() throws InterruptedException {
            Thread.sleep(200); // the call beside it has started
            Runtime.getRuntime().halt(3);
            return -1;
        }
    }

    @Test
    void nCallsRunAtOnceOnThePoolsThreads() {
        ActorHandle<Gate> g = Sonde.actor(Gate::new, 3).maxConcurrency(3).remote();
        List<ObjectRef<String>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(g.task(Gate::meet).remote());
        }
        List<String> threads = Sonde.get(calls, WAIT);
        assertThat(threads).doesNotContain("alone").doesNotHaveDuplicates()
                .allSatisfy(t -> assertThat(t).matches("sonde-task-[123]"));
    }

    @Test
    void neverMoreThanNCallsRunAtOnce() {
        ActorHandle<Gate> g = Sonde.actor(Gate::new, 1).maxConcurrency(2).remote();
        List<ObjectRef<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(g.task(Gate::busy, 150L).remote());
        }
        assertThat(Sonde.get(calls, WAIT)).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
        assertThat(Sonde.get(g.task(Gate::most).remote(), WAIT)).isEqualTo(2);
    }

    @Test
    void terminateRunsOnceTheCallsBeforeItHaveFinished() {
        ActorHandle<Gate> g = Sonde.actor(Gate::new, 1).maxConcurrency(2).remote();
        List<ObjectRef<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(g.task(Gate::busy, 300L).remote());
        }
        ObjectRef<Void> terminated = g.terminate();
        ObjectRef<Long> after = g.task(Gate::pid).remote();

        assertThat(Sonde.get(calls, WAIT)).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(Sonde.get(terminated, WAIT)).isNull();
        assertThatThrownBy(() -> Sonde.get(after, WAIT)).isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("terminated on purpose by terminate()");
    }

    @Test
    void exitActorEndsTheActorOnceTheCallsBesideItHaveFinished() {
        ActorHandle<Gate> g = Sonde.actor(Gate::new, 1).maxConcurrency(2).remote();
        Sonde.get(g.task(Gate::pid).remote(), WAIT);
        ObjectRef<Integer> beside = g.task(Gate::busy, 500L).remote();
        ObjectRef<String> stop = g.task(Gate::stop).remote();
        ObjectRef<Long> after = g.task(Gate::pid).remote();

        assertThat(Sonde.get(beside, WAIT)).isEqualTo(1);
        assertThat(Sonde.get(stop, WAIT)).startsWith("stopped after ");
        assertThatThrownBy(() -> Sonde.get(after, WAIT)).isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("Sonde.exitActor() was called in Gate.stop");
    }

    @Test
    void aCrashFailsEveryCallThatWasRunningAndTheCallsBehindRunOnTheRestartedActor() {
        ActorHandle<Gate> g = Sonde.actor(Gate::new, 1).maxConcurrency(2).maxRestarts(1).maxTaskRetries(0).remote();
        long firstPid = Sonde.get(g.task(Gate::pid).remote(), WAIT);
        ObjectRef<Integer> beside = g.task(Gate::busy, 30_000L).remote();
        ObjectRef<Integer> crash = g.task(Gate::crash).remote();
        ObjectRef<Long> behind = g.task(Gate::pid).remote();

        assertThatThrownBy(() -> Sonde.get(beside, WAIT)).isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("Gate.busy").hasMessageContaining("died while running it");
        assertThatThrownBy(() -> Sonde.get(crash, WAIT)).isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("Gate.crash").hasMessageContaining("code 3");
        assertThat(Sonde.get(behind, WAIT)).isNotEqualTo(firstPid);
    }

    public static final class Steps {
        /** Call {@code i} returns the pid it ran in; call 100 halts the JVM. */
        public long step(int i) {
            if (i == 100) {
                Runtime.getRuntime().halt(3);
            }
            return ProcessHandle.current().pid();
        }
    }

    @Test
    void aCrashAmidManyConcurrentCallsLosesNoResultAndBlamesAtMostNCalls() {
        ActorHandle<Steps> a = Sonde.actor(Steps::new).maxConcurrency(4).maxRestarts(1).maxTaskRetries(0).remote();
        List<ObjectRef<Long>> calls = new ArrayList<>();
        // `sonde list tasks` in a loop meanwhile: the node is busy, so the worker's last results
        // are still in the node's transport (or only in the journal) when the process exit is seen
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
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
            Sonde.wait(calls, calls.size(), WAIT);
        } finally {
            done.set(true);
        }
        List<Integer> failed = new ArrayList<>();
        java.util.Set<Long> pids = new java.util.HashSet<>();
        for (int i = 1; i <= 200; i++) {
            ObjectRef<Long> call = calls.get(i - 1);
            try {
                pids.add(Sonde.get(call, WAIT));
            } catch (ActorDiedException e) {
                assertThat(e).hasMessageContaining("died while running it");
                failed.add(i);
            }
        }
        // the calls that may have run beside call 100 die with it; every other call has its result
        assertThat(failed).contains(100).hasSizeLessThanOrEqualTo(4);
        assertThat(pids).hasSize(2);
    }

    @Test
    void maxConcurrencyBelowOneIsRefused() {
        assertThatThrownBy(() -> Sonde.actor(Gate::new, 1).maxConcurrency(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConcurrency must be 1 (one call at a time, in order) or more (that many calls at"
                        + " once), got 0");
    }
}
