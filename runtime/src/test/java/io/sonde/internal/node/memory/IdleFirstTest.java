package io.sonde.internal.node.memory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Above the threshold the monitor lets an idle worker go before it kills any work: a JVM keeps
 * the heap its last task grew, and an idle one runs nothing. Real processes stand for the
 * workers (their memory is read from /proc); the node is a fake that records what it is asked.
 */
class IdleFirstTest {
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private Process busy;

    @AfterEach
    void stop() {
        if (busy != null) {
            busy.destroyForcibly();
        }
    }

    private MemoryMonitor monitor(boolean idleLeaves, long idlePid) throws IOException {
        busy = new ProcessBuilder("sleep", "60").start();
        long busyPid = busy.pid();
        KillPolicy.Candidate work = new KillPolicy.Candidate("w2", busyPid, KillPolicy.Kind.TASK, "driver",
                "the task t", "task_id=t", 1, 0);
        MemoryMonitor.Node node = new MemoryMonitor.Node() {
            @Override
            public MemoryMonitor.Snapshot snapshot() {
                return new MemoryMonitor.Snapshot(List.of(work),
                        List.of(new MemoryMonitor.Labelled(idlePid, "worker w1 (idle)", true),
                                new MemoryMonitor.Labelled(busyPid, "worker w2 (task t)", true)),
                        Map.of("w1", idlePid));
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
        };
        // a budget of 1 MiB: the workers' memory (this JVM's, a sleep's) is far above the threshold
        return new MemoryMonitor("n1", "127.0.0.1", new MemorySettings(250, 0.95), NodeMemory.detect(1 << 20), node);
    }

    @Test
    void anIdleWorkerGoesBeforeAnyWorkIsKilled() throws IOException {
        // this JVM stands for an idle worker that kept a large heap
        monitor(true, ProcessHandle.current().pid()).tick();
        assertThat(asked).containsExactly("release w1");
    }

    @Test
    void whenTheIdleWorkerCannotGoTheWorkIsKilledAsBefore() throws IOException {
        monitor(false, ProcessHandle.current().pid()).tick();
        assertThat(asked).containsExactly("release w1", "kill w2");
    }
}
