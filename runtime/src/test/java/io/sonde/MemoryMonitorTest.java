package io.sonde;

import io.sonde.proto.TaskInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The memory monitor on real worker JVMs, on a node whose memory is a budget of 1 GiB: workers
 * that together use more than 0.95 of it get one of them killed, as the kill policy picks, and the
 * work it ran is retried or fails with {@link OutOfMemoryException}. What must not be lost: the
 * driver and the other workers carry on, the results of tasks that were not chosen, an actor that
 * may restart.
 */
class MemoryMonitorTest {
    private static final long GIB = 1L << 30;
    private static final Duration GET = Duration.ofSeconds(90);

    @RegisterExtension
    // The workers' heaps may outgrow the node's budget, so that the monitor stops a hog and not
    // its JVM's heap ceiling (0.95 of the budget): with the node's other workers that small, a
    // hog reaches its -Xmx near the moment the node crosses its threshold, and either may come first.
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2).memory(GIB).workerJvmOption("-Xmx2g");

    /** Allocates and keeps 16 MiB every 50 ms, touching every page, until its worker is killed. */
    static int hogForever() throws InterruptedException {
        List<byte[]> kept = new ArrayList<>();
        while (true) {
            byte[] chunk = new byte[16 << 20];
            Arrays.fill(chunk, (byte) 1);
            kept.add(chunk);
            Thread.sleep(50);
        }
    }

    /** Holds {@code mib} MiB until {@code release} exists, then returns how many MiB it held. */
    static int holdUntil(int mib, String release) throws InterruptedException {
        List<byte[]> kept = new ArrayList<>();
        for (int i = 0; i < mib / 16; i++) {
            byte[] chunk = new byte[16 << 20];
            Arrays.fill(chunk, (byte) 1);
            kept.add(chunk);
            Thread.sleep(20);
        }
        while (!Files.exists(Path.of(release))) {
            Thread.sleep(20);
        }
        return kept.size() * 16;
    }

    /** A small actor: it must carry on while another worker is killed. */
    public static final class Counter {
        private int n;

        public int add(int k) {
            n += k;
            return n;
        }
    }

    /** An actor that allocates on request, keeping what it allocates. */
    public static final class Hoarder {
        private final List<byte[]> kept = new ArrayList<>();

        public int grow() throws InterruptedException {
            while (true) {
                byte[] chunk = new byte[16 << 20];
                Arrays.fill(chunk, (byte) 1);
                kept.add(chunk);
                Thread.sleep(50);
            }
        }

        public int size() {
            return kept.size();
        }
    }

    @Test
    void aTaskThatOutgrowsTheNodeIsKilledRetriedAndFailsWithEveryPartOfTheMessage() {
        ActorHandle<Counter> counter = Sonde.actor(Counter::new).remote();
        assertThat(Sonde.get(counter.task(Counter::add, 1).remote(), GET)).isEqualTo(1);

        ObjectRef<Integer> hog = Sonde.task(MemoryMonitorTest::hogForever).name("hog").maxRetries(0).oomRetries(1)
                .remote();
        Throwable thrown = catchThrowable(() -> Sonde.get(hog, GET));

        assertThat(thrown).isInstanceOf(OutOfMemoryException.class);
        String nodeId = cluster.nodeManager().config().nodeId();
        String taskId = cluster.taskInfo(hog).orElseThrow().getTaskId();
        assertThat(thrown.getMessage())
                .startsWith("Task was killed due to the node running low on memory.\n")
                .contains("Memory on the node (IP: 127.0.0.1, ID: " + nodeId + ") where the task hog (task_id=" + taskId)
                .containsPattern(", pid=\\d+, memory used=\\d+(\\.\\d+)? (MiB|GiB)\\) was running was ")
                // at or past the threshold: a hog can allocate past the whole budget between two samples
                .containsPattern("/ 1\\.00 GiB \\((0\\.9[5-9]\\d|1\\.\\d{3})\\), which exceeds the memory usage threshold of 0\\.95")
                .contains("Sonde killed this worker (ID: w")
                // the last kill: no oomRetries were left
                .contains("because it ran a task that will not be retried")
                .contains("its budget of 1.00 GiB (--memory)")
                .contains("Top 10 memory users (RES - SHR):")
                .containsPattern("\\d+ +\\d+(\\.\\d+)? (MiB|GiB) +worker w\\w+ \\(task hog, task_id=" + taskId + "\\)")
                .contains("node manager and driver (job ")
                .contains(".memory(bytes)").contains(".numCpus(2)")
                .contains("SONDE_MEMORY_USAGE_THRESHOLD (now 0.95)").contains("SONDE_MEMORY_MONITOR_REFRESH_MS=0")
                .contains("it was killed 2 times and retried 1 (oomRetries=1)");
        assertThat(cluster.taskInfo(hog)).map(TaskInfo::getAttempt).contains(1);

        // the driver and the other workers carry on
        assertThat(Sonde.get(counter.task(Counter::add, 1).remote(), GET)).isEqualTo(2);
        assertThat(Sonde.get(Sonde.task(() -> 6 * 7).remote(), GET)).isEqualTo(42);
        // once per period of 10 s that saw kills, the node tells the driver how many: every kill of
        // this class's node is told (earlier tests' kills may share a period with this one's), and
        // nothing else died
        long killedSinceStart = cluster.nodeManager().memoryMonitor().oomKillsSinceStart();
        assertThat(killedSinceStart).isGreaterThanOrEqualTo(2);
        await().atMost(Duration.ofSeconds(25)).until(() -> toldKills() == killedSinceStart);
    }

    private static final Pattern SUMMARY = Pattern.compile("\\(node-manager, node=127\\.0\\.0\\.1\\) (\\d+) workers?"
            + " killed due to memory pressure \\(OOM\\), 0 workers crashed due to other reasons in the last 10 s");

    /** The kills the node's summaries have told the driver so far. */
    private static long toldKills() {
        return cluster.err().stream().map(SUMMARY::matcher).filter(Matcher::matches)
                .mapToLong(m -> Long.parseLong(m.group(1))).sum();
    }

    @Test
    void aRetriableTaskIsKilledBeforeANonRetriableOneThatStartedLater(@TempDir Path dir) throws IOException {
        String release = dir.resolve("release").toString();
        ObjectRef<Integer> retriable = Sonde.task(MemoryMonitorTest::holdUntil, 448, release).name("retriable")
                .maxRetries(0).oomRetries(2).remote();
        await().atMost(GET).until(() -> cluster.taskInfo(retriable).map(TaskInfo::getState)
                .filter(s -> s == TaskInfo.State.RUNNING).isPresent());
        // it holds a good part of its memory before the other starts
        await().atMost(GET).until(() -> cluster.nodeManager().memoryMonitor().last()
                .filter(s -> s.used() > 300L << 20).isPresent());
        ObjectRef<Integer> precious = Sonde.task(MemoryMonitorTest::holdUntil, 448, release).name("precious")
                .maxRetries(0).oomRetries(0).remote();

        // both cannot fit: the retriable one goes, though the other started last
        await().atMost(GET).until(() -> cluster.taskInfo(retriable).map(TaskInfo::getAttempt).orElse(0) >= 1);
        Files.writeString(dir.resolve("release"), "");
        assertThat(Sonde.get(precious, GET)).isEqualTo(448);
        assertThat(cluster.taskInfo(precious)).map(TaskInfo::getAttempt).contains(0);
        // the retriable one ends one way or the other: with its value, or out of retries
        catchThrowable(() -> Sonde.get(retriable, GET));
    }

    @Test
    void memoryAdmissionHoldsASecondLargeTaskBackUntilTheFirstEnds() {
        // the node's memory is its budget: two tasks of 600 MiB each cannot run at once
        long each = 600L << 20;
        ObjectRef<Long> first = Sonde.task(MemoryMonitorTest::busyFor, 1500L).name("first").memory(each).remote();
        ObjectRef<Long> second = Sonde.task(MemoryMonitorTest::busyFor, 0L).name("second").memory(each).remote();
        long firstEnd = Sonde.get(first, GET);
        long secondStart = Sonde.get(second, GET);
        assertThat(secondStart).isGreaterThanOrEqualTo(firstEnd);
    }

    /** Works for {@code millis}, then returns when it started (for a task that waits 0) or ended, in epoch ms. */
    static long busyFor(long millis) throws InterruptedException {
        long start = System.currentTimeMillis();
        if (millis == 0) {
            return start;
        }
        Thread.sleep(millis);
        return System.currentTimeMillis();
    }

    @Test
    void anActorKilledByTheMonitorRestartsWithinMaxRestarts() {
        ActorHandle<Hoarder> hoarder = Sonde.actor(Hoarder::new).maxRestarts(1).remote();
        assertThat(Sonde.get(hoarder.task(Hoarder::size).remote(), GET)).isZero();
        ObjectRef<Integer> growing = hoarder.task(Hoarder::grow).remote();

        Throwable thrown = catchThrowable(() -> Sonde.get(growing, GET));
        assertThat(thrown).isInstanceOf(ActorDiedException.class); // the call in flight is not retried
        assertThat(thrown.getMessage())
                .contains("was killed by the node's memory monitor due to the node running low on memory")
                .contains("because it hosts an actor that will be restarted")
                .contains("Top 10 memory users (RES - SHR):");
        // restarted: a new instance, empty (a call made while it restarts fails at once: no maxTaskRetries)
        org.awaitility.Awaitility.await().atMost(GET).ignoreExceptionsInstanceOf(ActorUnavailableException.class)
                .until(() -> Sonde.get(hoarder.task(Hoarder::size).remote(), GET) == 0);
    }
}
