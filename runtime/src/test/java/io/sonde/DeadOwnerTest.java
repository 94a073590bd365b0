package io.sonde;

import io.sonde.function.SondeFunc1;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.sonde.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The work of a task whose worker is SIGKILLed ends with it, on real workers: its nested tasks
 * stop and give their CPUs back, its actors die, and callers of those actors fail, naming the
 * dead owner, instead of waiting for good.
 */
class DeadOwnerTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration BOUND = Duration.ofSeconds(20);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    public static final class Counter {
        private int n;

        public Counter() {
        }

        public Counter(Integer start) {
            n = start;
        }

        public int increment() {
            return ++n;
        }
    }

    private static long pidIn(Path file) throws Exception {
        await().atMost(START).until(() -> Files.exists(file) && !Files.readString(file).isEmpty());
        return Long.parseLong(Files.readString(file).trim());
    }

    private static void sigkill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void aNestedTaskEndsWhenItsParentsWorkerIsKilledAndItsCpuRunsTheNextTask(@TempDir Path dir) throws Exception {
        String parentPid = dir.resolve("parent").toString();
        String childPid = dir.resolve("child").toString();
        ObjectRef<Integer> parent = Sonde.task(() -> {
            ObjectRef<Integer> child = Sonde.task(() -> {
                Files.writeString(Path.of(childPid), Long.toString(ProcessHandle.current().pid()));
                long end = System.nanoTime() + 120_000_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait(); // ignores interrupts: only a kill ends it
                }
                return 1;
            }).name("child").remote();
            Files.writeString(Path.of(parentPid), Long.toString(ProcessHandle.current().pid()));
            return Sonde.get(child);
        }).name("parent").maxRetries(0).remote();
        long parentWorker = pidIn(Path.of(parentPid));
        long childWorker = pidIn(Path.of(childPid));

        sigkill(parentWorker);

        assertThatThrownBy(() -> Sonde.get(parent, BOUND)).isInstanceOf(WorkerCrashedException.class);
        await("the child's worker is killed").atMost(BOUND).until(() -> !alive(childWorker));
        // both CPUs are free: a task that needs both runs
        assertThat(Sonde.get(Sonde.task(() -> 2).numCpus(2).remote(), START)).isEqualTo(2);
    }

    @Test
    void anActorCreatedInATaskWhoseWorkerDiesAnswersNoMore(@TempDir Path dir) throws Exception {
        String ownerPid = dir.resolve("owner").toString();
        ActorHandle<Counter> counter = Sonde.get(Sonde.task(() -> {
            Files.writeString(Path.of(ownerPid), Long.toString(ProcessHandle.current().pid()));
            return Sonde.actor(Counter::new).remote();
        }).name("maker").remote(), START);
        assertThat(Sonde.get(counter.task(Counter::increment).remote(), START)).isEqualTo(1);
        long owner = pidIn(Path.of(ownerPid));

        sigkill(owner);

        await("calls fail once the owner's death is seen").atMost(BOUND).untilAsserted(() ->
                assertThatThrownBy(() -> Sonde.get(counter.task(Counter::increment).remote(), BOUND))
                        .isInstanceOf(ActorDiedException.class)
                        .hasMessageContaining("its owner, task maker (task_id=")
                        .hasMessageContaining("(pid " + owner + "), died"));
    }

    @Test
    void anActorWhoseOwnerDiedBeforeItsConstructorArgumentWasReadyFailsItsCallers(@TempDir Path dir) throws Exception {
        String ownerPid = dir.resolve("owner").toString();
        ActorHandle<Counter> counter = Sonde.get(Sonde.task(() -> {
            ObjectRef<Integer> start = Sonde.task(() -> {
                Thread.sleep(120_000);
                return 10;
            }).name("slowStart").remote();
            Files.writeString(Path.of(ownerPid), Long.toString(ProcessHandle.current().pid()));
            SondeFunc1<Integer, Counter> from = Counter::new;
            return Sonde.actor(from, start).remote();
        }).name("maker").remote(), START);
        ObjectRef<Integer> call = counter.task(Counter::increment).remote();
        long owner = pidIn(Path.of(ownerPid));

        sigkill(owner);

        assertThatThrownBy(() -> Sonde.get(call, BOUND)).isInstanceOf(ActorDiedException.class)
                .hasMessageContaining("its owner, task maker (task_id=")
                .hasMessageContaining("(pid " + owner + "), died");
    }
}
