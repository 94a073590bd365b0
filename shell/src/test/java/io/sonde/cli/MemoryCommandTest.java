package io.sonde.cli;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.cli.table.ObjectTables;
import io.sonde.cli.table.Units;
import io.sonde.proto.ObjectStoreStats;
import io.sonde.proto.ObjectInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sonde memory} against this test's embedded node over gRPC: this JVM is the driver that
 * puts values and holds their refs, a worker runs a task that holds one of them as its argument.
 */
class MemoryCommandTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    /** Runs until {@code release} exists in {@code dir}, holding {@code bytes} as its argument. */
    static int hold(byte[] bytes, String dir) throws Exception {
        Files.writeString(Path.of(dir, "started"), "");
        while (!Files.exists(Path.of(dir, "release"))) {
            Thread.sleep(20);
        }
        return bytes.length;
    }

    private static ObjectInfo listed(ObjectRef<?> ref) {
        return cluster.nodeManager().listObjects().getObjectsList().stream()
                .filter(o -> o.getObjectId().equals(ref.id())).findFirst().orElseThrow();
    }

    /** The row of the object in the output, split on whitespace as a script would. */
    private static List<String> row(String out, ObjectRef<?> ref) {
        return out.lines().filter(l -> l.startsWith(ref.id() + " ")).findFirst()
                .map(l -> List.of(l.split("\\s+"))).orElseThrow(() -> new AssertionError("no row for " + ref.id() + " in\n" + out));
    }

    @Test
    void listsThePutValuesAndTheArgumentATaskHoldsWithTheirSizesAndHolder(@TempDir Path dir) throws Exception {
        ObjectRef<byte[]> big = Sonde.put(new byte[300_000]);
        ObjectRef<String> small = Sonde.put("hello");
        ObjectRef<byte[]> arg = Sonde.put(new byte[50_000]);
        ObjectRef<Integer> result = Sonde.task(MemoryCommandTest::hold, arg, dir.toString()).name("hold").remote();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("started")));
        String pid = Long.toString(ProcessHandle.current().pid());

        Cli.Run memory = Cli.sonde("memory", "--address", cluster.address());

        assertThat(memory.exitCode()).as(memory.toString()).isZero();
        String out = memory.out();
        assertThat(out).startsWith("Objects of the cluster at " + cluster.address() + ": grouped by node, largest first");
        // OBJECT_ID NODE PID HOLDER SIZE REFERENCE_TYPE LOCATION CALL_SITE
        assertThat(row(out, arg)).containsSequence(arg.id(), cluster.nodeManager().config().nodeId(), pid, "driver",
                Units.bytes(listed(arg).getSizeBytes()), "PINNED_BY_TASK", "inline");
        assertThat(listed(arg).getSizeBytes()).isBetween(50_000L, 50_200L);
        // over 100 KiB: in the object store's shared memory, not in the node's heap
        assertThat(row(out, big)).containsSequence(pid, "driver", Units.bytes(listed(big).getSizeBytes()),
                "LOCAL_REFERENCE", "shared");
        assertThat(Units.bytes(listed(big).getSizeBytes())).isEqualTo("293.0KiB");
        assertThat(row(out, small)).containsSequence(pid, "driver", Units.bytes(listed(small).getSizeBytes()),
                "LOCAL_REFERENCE", "inline");
        // the task's result: not computed yet
        assertThat(row(out, result)).containsSequence(pid, "driver", "-", "LOCAL_REFERENCE", "pending");
        assertThat(out).contains(ObjectTables.NO_CALL_SITE);
        // largest first
        assertThat(out.indexOf(big.id() + " ")).isLessThan(out.indexOf(arg.id() + " "));
        assertThat(out.indexOf(arg.id() + " ")).isLessThan(out.indexOf(small.id() + " "));
        ObjectStoreStats store = cluster.nodeManager().objectStoreStats();
        assertThat(out).contains("  used             ").contains(" of " + Units.bytes(store.getCapacityBytes()))
                .contains("  shared memory    ").contains("  directory        " + store.getDirectory());

        Files.writeString(dir.resolve("release"), "");
        assertThat(Sonde.get(result)).isEqualTo(50_000);
        // the task is done: only the driver's ref keeps the argument now
        await().atMost(Duration.ofSeconds(10)).until(() -> listed(arg).getReferenceType().equals("LOCAL_REFERENCE"));
        Cli.Run after = Cli.sonde("memory", "--address", cluster.address(), "--sort-by", "id", "--limit", "1");
        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(after.out()).containsPattern("Showing 1 of \\d+ objects: \\d+ more left out \\(the last by id\\)");
        assertThat(after.out()).doesNotContain("PINNED_BY_TASK");
    }

    @Test
    void statsOnlyAndByCallSite() {
        ObjectRef<String> kept = Sonde.put("kept");

        Cli.Run stats = Cli.sonde("memory", "--address", cluster.address(), "--stats-only");
        Cli.Run stack = Cli.sonde("memory", "--address", cluster.address(), "--group-by", "stack");

        assertThat(stats.exitCode()).as(stats.toString()).isZero();
        assertThat(stats.out()).doesNotContain("OBJECT_ID").containsPattern("\\d+ objects?, \\S+ in total")
                .contains("--- object store ---");
        assertThat(stack.exitCode()).as(stack.toString()).isZero();
        // the driver records no call sites here: every object is in the section of unknown sites
        assertThat(stack.out()).contains("--- call site unknown " + ObjectTables.NO_CALL_SITE + " ---");
        assertThat(row(stack.out(), kept)).contains("LOCAL_REFERENCE");
    }

    @Test
    void aWrongChoiceIsAUsageErrorThatSaysWhatIsTaken() {
        Cli.Run bad = Cli.sonde("memory", "--address", cluster.address(), "--sort-by", "pid");

        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("'pid' is not a choice of --sort-by: take size or id");
    }
}
