package io.sonde.cli;

import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The node's leak detection on real worker JVMs: a leaking actor is profiled by itself and its
 * driver told; a task that allocates and frees at the same rate, beside it, is not. The thresholds are the
 * defaults scaled down so that a test takes seconds, not minutes: a 24 s window (six parts of
 * 4 s, each of which must hold a collection, also on a loaded machine), the heap after GC rising
 * 30 MB a minute (2 MB a part), a 3 s profile. The RSS rule's rate
 * is set out of reach (64 GB a minute): a fresh worker's RSS grows for tens of seconds as the
 * pages of the heap the collector gave it are first touched (RSS rose 150 MB in 11 s here), far longer than this window; the default window of 2 minutes, over which a
 * worker must have been watched, is what keeps that warm-up out of the RSS rule.
 */
class LeakDetectionTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2)
            .pluginOption("profiler.leak.window", "24s")
            .pluginOption("profiler.leak.heapRate", "30m")
            .pluginOption("profiler.leak.rssRate", "64g")
            .pluginOption("profiler.leak.profile", "3s")
            .pluginOption("profiler.leak.period", "10m");

    static volatile Object sink;

    /** Garbage: 4 MB of short-lived arrays, so that the young generation is collected often. */
    static void churn() {
        for (int i = 0; i < 64; i++) {
            sink = new byte[64 * 1024];
        }
    }

    /** An actor that leaks: a static list that grows about 5 MB a second, amid a few hundred MB a second of garbage. */
    public static final class Cache {
        static final List<byte[]> KEPT = new ArrayList<>();

        /** Keeps 640 KB every 100 ms or so until {@code release} exists in {@code dir}, or 120 s passed. */
        public int fill(String dir) throws InterruptedException {
            long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!Files.exists(Path.of(dir, "release")) && System.nanoTime() < end) {
                for (int i = 0; i < 10; i++) {
                    put();
                    churn();
                    Thread.sleep(10);
                }
            }
            return KEPT.size();
        }

        private static void put() {
            KEPT.add(new byte[64 * 1024]);
        }
    }

    /** Allocates as much as the leak and frees as much: a ring of 64 arrays of 64 KB, for {@code seconds}. */
    static int steady(int seconds) throws InterruptedException {
        byte[][] ring = new byte[64][];
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        int n = 0;
        while (System.nanoTime() < end) {
            ring[n++ % ring.length] = new byte[64 * 1024];
            churn();
            Thread.sleep(10);
        }
        return n;
    }

    private static final Pattern NOTICE = Pattern.compile("\\(node-manager\\) memory leak suspected in worker (\\S+)"
            + " \\(Cache actor 'cache', pid (\\d+)\\): heap after GC \\+(\\d+) MB in (\\d+) s;"
            + " live allocations: LeakDetectionTest\\$Cache\\.put (\\d+)% \\(byte\\[]\\); report: (\\S+)");

    private static Optional<Matcher> notice() {
        return cluster.out().stream().map(NOTICE::matcher).filter(Matcher::find).findFirst();
    }

    @Test
    void aLeakingActorIsProfiledAndItsDriverToldWhileATaskBesideItThatFreesWhatItAllocatesIsNot(@TempDir Path dir)
            throws Exception {
        Cli.Run none = Cli.sonde("memory", "--leaks", "--address", cluster.address());
        assertThat(none.exitCode()).as(none.toString()).isZero();
        assertThat(none.out()).startsWith("No leak suspects on the node at " + cluster.address() + ": no worker's"
                + " memory kept growing. The node's rule (a job's profiler.leak.* options may change it): a suspect:");
        Cli.Run both = Cli.sonde("memory", "--leaks", "--heap", "steady", "--address", cluster.address());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).startsWith("--leaks lists the leak suspects of every worker: give it without --heap.");

        // The steady task runs beside the leak from its start, and is watched for nearly two
        // windows of 24 s: the leak's notice (about 30 s) and 15 s more.
        ObjectRef<Integer> steady = Sonde.task(LeakDetectionTest::steady, 50).name("steady").remote();
        ActorHandle<Cache> cache = Sonde.actor(Cache::new).name("cache").remote();
        ObjectRef<Integer> filling = cache.task(Cache::fill, dir.toString()).remote();

        await().atMost(Duration.ofSeconds(100)).until(() -> notice().isPresent());
        await("the steady task is not a suspect").during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(20))
                .until(() -> cluster.out().stream().filter(l -> l.contains("memory leak suspected")).count() == 1);
        assertThat(Sonde.get(steady)).isPositive();
        Matcher m = notice().orElseThrow();
        Path report = Path.of(m.group(6));
        Files.writeString(dir.resolve("release"), "");
        assertThat(Sonde.get(filling)).isPositive();

        assertThat(Integer.parseInt(m.group(3))).as(m.group()).isGreaterThanOrEqualTo(10); // 10 MB at least: 2 MB in each of 5 steps
        assertThat(Integer.parseInt(m.group(5))).as(m.group()).isGreaterThanOrEqualTo(50);
        assertThat(report).startsWith(cluster.hostedNode().sessionDir().resolve("profiler/leaks")).isRegularFile();
        String text = Files.readString(report);
        assertThat(text).startsWith("# Memory leak suspected in worker " + m.group(1) + " (pid " + m.group(2) + ")\n")
                .contains("- Runs: actor Cache 'cache', job ")
                .containsPattern("- Heap after GC: \\d+ MB → \\d+ MB \\(\\+\\d+ MB in \\d+ s\\)")
                .containsPattern("- Its cost on the worker: it used \\d+\\.\\d\\d cores during the profile, \\d+\\.\\d\\d in the"
                        + " 3 s before it; the full collection before the profile stopped \\(so that garbage is not"
                        + " counted live\\) took \\d+ ms\n");
        assertThat(firstRow(text, "## By function")).isEqualTo("`io.sonde.cli.LeakDetectionTest$Cache.put`");
        assertThat(firstRow(text, "## By class")).isEqualTo("`byte[]`");
        assertThat(firstRow(text, "## Top live-allocation sites"))
                .isEqualTo("`io.sonde.cli.LeakDetectionTest$Cache.put (byte[])`");
        try (var files = Files.list(report.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(f -> f.startsWith("worker-" + m.group(1) + "-alloc-live-") && f.endsWith(".html"));
        }

        Cli.Run leaks = Cli.sonde("memory", "--leaks", "--address", cluster.address());
        assertThat(leaks.exitCode()).as(leaks.toString()).isZero();
        assertThat(leaks.out()).startsWith("1 leak suspect on the node at " + cluster.address() + ", oldest first:\n")
                .contains("\n  rule: a suspect: heap after GC rising 30 MB a minute or more")
                .contains("worker " + m.group(1) + " (pid " + m.group(2) + ", actor Cache 'cache'): heap after GC +")
                .contains("  profile: alloc, live\n  report: " + report + "\n  flame graph: ")
                .contains("  its driver was told: memory leak suspected in worker " + m.group(1));
        Sonde.kill(cache);
    }

    /** The cell of the first row of a markdown table under {@code title}: its last column. */
    private static String firstRow(String report, String title) {
        String row = report.lines().dropWhile(l -> !l.equals(title)).skip(4).findFirst().orElse("");
        return row.substring(row.lastIndexOf("| `") + 2, row.length() - 2);
    }
}
