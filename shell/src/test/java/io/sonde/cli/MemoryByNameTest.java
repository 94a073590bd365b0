package io.sonde.cli;

import io.sonde.ActorHandle;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.proto.TaskInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sonde memory --by-name} against this test's embedded node over gRPC, on real worker
 * JVMs: an actor that holds 200 MiB and one that holds almost nothing, then a live-allocation
 * profile of the heavy one.
 */
class MemoryByNameTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    /** Holds 200 MiB of byte[], every page written, so that it is resident. */
    public static final class Heavy {
        private final List<byte[]> kept = new ArrayList<>();

        public int hold() {
            for (int i = 0; i < 200; i++) {
                byte[] b = new byte[1 << 20];
                java.util.Arrays.fill(b, (byte) 1);
                kept.add(b);
            }
            return kept.size();
        }

        /** Keeps 256 KiB arrays until {@code release} exists in {@code dir}: what a live profile sees allocated and kept. */
        public int keepGrowing(String dir) throws InterruptedException {
            int n = 0;
            while (!Files.exists(Path.of(dir, "release"))) {
                if (n++ < 400) {
                    kept.add(new byte[256 * 1024]);
                }
                Thread.sleep(5);
            }
            return kept.size();
        }
    }

    /** Holds a kilobyte. */
    public static final class Light {
        private byte[] kept;

        public int hold() {
            kept = new byte[1024];
            return kept.length;
        }
    }

    /** The rows of the first table: its lines after the header, up to the blank line. */
    private static List<String> nameRows(String out) {
        return out.lines().dropWhile(l -> !l.contains("WORKERS  KIND")).skip(1).takeWhile(l -> !l.isBlank()).toList();
    }

    private static List<String> rowsAfter(String out, String title) {
        return out.lines().dropWhile(l -> !l.startsWith(title)).skip(2).takeWhile(l -> !l.isBlank()).toList();
    }

    @Test
    void theHeavyActorClassComesFirstThenItsLiveAllocationsByMethodAndClass(@TempDir Path dir) {
        ActorHandle<Heavy> heavy = Sonde.actor(Heavy::new).name("heavy").remote();
        ActorHandle<Light> light = Sonde.actor(Light::new).name("light").remote();
        assertThat(Sonde.get(heavy.task(Heavy::hold).remote())).isEqualTo(200);
        assertThat(Sonde.get(light.task(Light::hold).remote())).isEqualTo(1024);
        // the memory monitor's sample that --by-name reads has both actors' memory
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Cli.Run r = Cli.sonde("memory", "--by-name", "--address", cluster.address());
            assertThat(r.out()).as(r.toString()).contains("actor  " + Light.class.getSimpleName());
        });

        Cli.Run run = Cli.sonde("memory", "--by-name", "--address", cluster.address());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Memory by function and actor class of the node at " + cluster.address() + ": ")
                .contains("No live-allocation profile of these workers");
        List<String> rows = nameRows(run.out());
        assertThat(rows.get(0)).as(run.out()).endsWith("actor  " + Heavy.class.getSimpleName());
        // 200 MiB resident, and about as much in its heap (the JVM's figure of heap in use may lag
        // its last humongous allocations by a few MiB: 198.2 MiB was seen)
        String[] first = rows.get(0).trim().split("\\s+");
        assertThat(io.sonde.cli.table.Units.parseBytes(first[0])).as(run.out()).isGreaterThan(200L << 20);
        assertThat(io.sonde.cli.table.Units.parseBytes(first[1])).as(run.out()).isGreaterThan(180L << 20);
        int lightRow = rows.indexOf(rows.stream().filter(r -> r.endsWith("actor  " + Light.class.getSimpleName())).findFirst().orElseThrow());
        assertThat(lightRow).as(run.out()).isPositive();

        // a live-allocation profile of the heavy one while it keeps allocating
        ObjectRef<Integer> growing = heavy.task(Heavy::keepGrowing, dir.toString()).remote();
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.taskInfo(growing)
                .filter(t -> t.getState() == TaskInfo.State.RUNNING).isPresent());
        Cli.Run profile = Cli.sonde("profile", "heavy", "--event", "alloc", "--live", "--duration", "1s",
                "--format", "flat", "--address", cluster.address());
        assertThat(profile.exitCode()).as(profile.toString()).isZero();

        Cli.Run after = Cli.sonde("memory", "--by-name", "--address", cluster.address());

        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(after.out()).containsPattern("Live bytes by allocating method \\(latest live-allocation profiles of 1"
                + " of \\d+ workers, the oldest \\d+ s ago\\):");
        assertThat(rowsAfter(after.out(), "Live bytes by allocating method").get(0)).as(after.out())
                .contains(Heavy.class.getName() + ".keepGrowing").endsWith("actor " + Heavy.class.getSimpleName());
        assertThat(rowsAfter(after.out(), "Live bytes by allocated class").get(0)).as(after.out())
                .contains(" byte[] ").endsWith("actor " + Heavy.class.getSimpleName());
        // kept by the node, for the worker's life
        assertThat(cluster.hostedNode().sessionDir().resolve("profiler/live-allocations")).isDirectoryContaining("glob:**.pb");

        try {
            Files.writeString(dir.resolve("release"), "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(Sonde.get(growing)).isGreaterThan(200);
        Sonde.kill(heavy);
        Sonde.kill(light);
    }

    @Test
    void byNameAndHeapTogetherAreRefusedWithTheFix() {
        Cli.Run run = Cli.sonde("memory", "--by-name", "--heap", "1234", "--address", cluster.address());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--by-name sums every worker of the node, --heap reads one: give one of them.");
    }
}
