package io.sonde;

import io.sonde.internal.node.memory.ProcessMemory;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * As many actors at once as the node's memory holds, each an idle worker JVM: the count is
 * measured, not guessed (an idle actor's RES − SHR, into 80% of what the node lets its workers use
 * before the monitor kills), and all of them must answer, with none killed for memory.
 *
 * <p>The default suite gives the node a budget of {@value #BUDGET_MIB} MiB (about five
 * actors with the workers' class data archive, three while it is not made yet); {@code -Dsonde.stress.factor=N} (the {@code stress} Maven profile) gives it this
 * machine's available memory instead, and so starts as many as the machine holds.
 */
class ActorCapacityTest {
    private static final int BUDGET_MIB = 512;
    private static final boolean MACHINE = Integer.getInteger("sonde.stress.factor", 1) > 1;
    private static final Duration CALL = Duration.ofMinutes(10);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2).logToDriver(false)
            .memory(MACHINE ? available() : (long) BUDGET_MIB << 20);

    /** An actor that only says who it is. */
    public static final class Idle {
        private final int id;

        public Idle(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public long pid() {
            return ProcessHandle.current().pid();
        }
    }

    @Test
    void asManyActorsAsTheNodesMemoryHoldsAllAnswer() {
        ActorHandle<Idle> first = Sonde.actor(Idle::new, 0).remote();
        long pid = Sonde.get(first.task(Idle::pid).remote(), CALL);
        long idle = ProcessMemory.read(pid).orElseThrow().owned();
        long usable = (long) (0.8 * 0.95 * cluster.nodeManager().config().memory());
        // the node's other processes under a budget: the job's spare worker, about one idle worker
        int count = (int) (usable / idle) - 1;
        System.out.printf("an idle actor holds %.1f MiB (RES - SHR); the node's %.0f MiB hold %d actors at once%n",
                idle / 1048576.0, cluster.nodeManager().config().memory() / 1048576.0, count);
        assertThat(count).as("actors that fit").isGreaterThan(2);

        List<ActorHandle<Idle>> actors = new ArrayList<>(List.of(first));
        for (int i = 1; i < count; i++) {
            actors.add(Sonde.actor(Idle::new, i).remote());
        }
        List<ObjectRef<Integer>> ids = new ArrayList<>();
        for (ActorHandle<Idle> a : actors) {
            ids.add(a.task(Idle::id).remote());
        }
        List<Integer> answered = Sonde.get(ids, CALL);

        assertThat(answered).hasSize(count).doesNotHaveDuplicates().allMatch(i -> i >= 0 && i < count);
        assertThat(cluster.nodeManager().memoryMonitor().oomKillsSinceStart()).as("workers killed for memory").isZero();
    }

    /** The machine's MemAvailable, in bytes. */
    private static long available() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/meminfo: " + e.getMessage(), e);
        }
        throw new IllegalStateException("/proc/meminfo has no MemAvailable line");
    }
}
