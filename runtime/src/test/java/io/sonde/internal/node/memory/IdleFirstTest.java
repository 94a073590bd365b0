package io.sonde.internal.node.memory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Above the threshold the monitor lets an idle worker go before it kills any work, when the idle
 * worker is the largest and its memory alone brings the node back under it: a JVM keeps the heap
 * its last task grew, and an idle one runs nothing. Real processes stand for the workers (their memory is read from
 * /proc): this JVM is the large one, a {@code sleep} the small one. The node is a fake that
 * records what it is asked.
 */
class IdleFirstTest {
    private static final long JVM = ProcessHandle.current().pid();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private Process sleep;

    @BeforeEach
    void start() throws IOException {
        sleep = new ProcessBuilder("sleep", "60").start();
    }

    @AfterEach
    void stop() {
        sleep.destroyForcibly();
    }

    /** A budget that both processes fill to 97%: the excess over the 0.95 threshold is about 2% of it. */
    private long budgetJustOverTheThreshold() {
        long owned = ProcessMemory.read(JVM).orElseThrow().owned() + ProcessMemory.read(sleep.pid()).orElseThrow().owned();
        return (long) (owned / 0.97);
    }

    private void tick(long idlePid, long busyPid, boolean idleLeaves, long budget) {
        tick(idlePid, busyPid, idleLeaves, budget, 0);
    }

    /** {@code storeIdle}: the object store's arena pages that no object uses, counted in the node's use. */
    private void tick(long idlePid, long busyPid, boolean idleLeaves, long budget, long storeIdle) {
        KillPolicy.Candidate work = new KillPolicy.Candidate("w2", busyPid, KillPolicy.Kind.TASK, "driver",
                "the task t", "task_id=t", 1, 0);
        MemoryMonitor.Node node = new MemoryMonitor.Node() {
            @Override
            public MemoryMonitor.Snapshot snapshot() {
                return new MemoryMonitor.Snapshot(List.of(work),
                        List.of(new MemoryMonitor.Labelled(idlePid, "worker w1 (idle)", true),
                                new MemoryMonitor.Labelled(busyPid, "worker w2 (task t)", true)),
                        Map.of(idlePid, "w1"), storeIdle, storeIdle);
            }

            @Override
            public boolean kill(KillPolicy.Candidate victim, String report) {
                asked.add("kill " + victim.workerId());
                return true;
            }

            @Override
            public boolean releaseIdle(String workerId, long pid) {
                asked.add("release " + workerId);
                return idleLeaves;
            }

            @Override
            public void tellDrivers(String line) {
            }

            @Override
            public void releaseStoreIdle() {
                asked.add("give back the store's idle pages");
            }
        };
        new MemoryMonitor("n1", "127.0.0.1", new MemorySettings(250, 0.95), NodeMemory.detect(budget), node).tick();
    }

    @Test
    void anIdleWorkerWhoseMemoryCoversTheExcessGoesBeforeAnyWorkIsKilled() {
        // this JVM stands for an idle worker that kept a large heap; the task's worker is small
        tick(JVM, sleep.pid(), true, budgetJustOverTheThreshold());
        assertThat(asked).containsExactly("release w1");
    }

    @Test
    void whenTheIdleWorkerCannotGoTheWorkIsKilledAsBefore() {
        tick(JVM, sleep.pid(), false, budgetJustOverTheThreshold());
        assertThat(asked).containsExactly("release w1", "kill w2");
    }

    @Test
    void anIdleWorkerTooSmallToMakeTheDifferenceStaysAndTheWorkIsKilledAtOnce() {
        // the task's worker (this JVM) holds far more than the budget; the idle one (a sleep) almost nothing
        tick(sleep.pid(), JVM, true, 1 << 20);
        assertThat(asked).containsExactly("kill w2");
    }

    @Test
    void theObjectStoresIdlePagesGoFirstAndWhenTheyCoverTheExcessNothingElseDoes() {
        // both processes fill 90% of the budget, under the 0.95 threshold; the store's idle pages
        // add 10% more: over it, and they alone cover the excess
        long owned = ProcessMemory.read(JVM).orElseThrow().owned() + ProcessMemory.read(sleep.pid()).orElseThrow().owned();
        long budget = (long) (owned / 0.90);
        tick(JVM, sleep.pid(), true, budget, budget / 10);
        assertThat(asked).containsExactly("give back the store's idle pages");
    }

    @Test
    void idlePagesTooFewToCoverTheExcessGoAndTheMonitorGoesOnAsBefore() {
        // the task's worker holds far more than the budget: a few idle pages cannot make up for it
        tick(sleep.pid(), JVM, true, 1 << 20, 4096);
        assertThat(asked).containsExactly("give back the store's idle pages", "kill w2");
    }
}
