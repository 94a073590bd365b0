package io.sonde.cli.table;

import io.sonde.proto.ObjectInfo;
import io.sonde.proto.ObjectList;
import io.sonde.proto.ObjectStoreStats;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The screen of {@code sonde memory} and {@code /memory}, from a listing made up here. */
class ObjectTablesTest {
    private static final String SITE_A = "Main.main(Main.java:12)";
    private static final String SITE_B = "Main.load(Main.java:30)";

    private static ObjectInfo object(String id, long size, String location, String site, int pins) {
        return ObjectInfo.newBuilder().setObjectId(id).setNodeId("node-1").setSizeBytes(size).setLocation(location)
                .setHolderPid(4242).setHolderIsDriver(true).setHolderId("c-1").setJobId("01000000")
                .setReferenceType(pins > 0 ? "PINNED_BY_TASK" : "LOCAL_REFERENCE").setPinnedByTasks(pins)
                .setCallSite(site).build();
    }

    private static final ObjectList LIST = ObjectList.newBuilder()
            .addObjects(object("p-small", 512, "inline", SITE_A, 0))
            .addObjects(object("p-big", 3L * 1024 * 1024, "shared", SITE_B, 1))
            .addObjects(object("p-mid", 1536, "inline", SITE_A, 0))
            .addObjects(object("t-pending", 0, "pending", "", 0))
            .setInlineObjects(2).setInlineBytes(2048)
            .build();

    private static List<String> print(ObjectList list, String arguments) {
        StringWriter text = new StringWriter();
        ObjectTables.print(new PrintWriter(text), "sonde://127.0.0.1:7000", list, MemoryOptions.parse(arguments));
        return text.toString().lines().toList();
    }

    @Test
    void byNodeTheRowsComeLargestFirstWithSizesInBinaryUnitsAlignedOnTheRight() {
        List<String> lines = print(LIST, "");

        assertThat(lines.get(0)).isEqualTo("Objects of the cluster at sonde://127.0.0.1:7000: grouped by node, largest first");
        assertThat(lines).contains("--- node node-1 ---");
        int header = lines.indexOf("--- node node-1 ---") + 1;
        assertThat(lines.get(header)).startsWith("OBJECT_ID  NODE    PID   HOLDER    SIZE  REFERENCE_TYPE   LOCATION  CALL_SITE");
        List<String> rows = lines.subList(header + 1, header + 5);
        assertThat(rows).extracting(r -> r.split("\\s+")[0]).containsExactly("p-big", "p-mid", "p-small", "t-pending");
        // every size ends where the header SIZE ends
        int end = lines.get(header).indexOf("SIZE") + "SIZE".length();
        assertThat(rows).extracting(r -> r.substring(0, end).strip().replaceAll(".*\\s", ""))
                .containsExactly("3.0MiB", "1.5KiB", "512B", "-");
        assertThat(rows.get(0)).contains("4242", "driver", "PINNED_BY_TASK", "shared", SITE_B);
        assertThat(rows.get(1)).contains("LOCAL_REFERENCE", "inline", SITE_A);
        assertThat(rows.get(3)).contains("pending", ObjectTables.NO_CALL_SITE);
        assertThat(lines.get(header + 5)).isEqualTo("4 objects, 3.0MiB in total (1 pinned by tasks, 1 pending)");
        assertThat(String.join("\n", lines)).doesNotContain("left out");
    }

    @Test
    void byIdTheRowsComeInIdOrder() {
        List<String> lines = print(LIST, "--sort-by id");
        int header = lines.indexOf("--- node node-1 ---") + 1;
        assertThat(lines.subList(header + 1, header + 5)).extracting(r -> r.split("\\s+")[0])
                .containsExactly("p-big", "p-mid", "p-small", "t-pending");
        assertThat(lines.get(0)).endsWith("grouped by node, by object id");
    }

    @Test
    void byStackEachCallSiteIsASectionAndThoseWithoutOneComeLast() {
        List<String> lines = print(LIST, "--group-by stack");

        List<String> sections = lines.stream().filter(l -> l.startsWith("--- ")).toList();
        assertThat(sections).containsExactly("--- call site " + SITE_B + " ---", "--- call site " + SITE_A + " ---",
                "--- call site unknown " + ObjectTables.NO_CALL_SITE + " ---", "--- object store ---");
        assertThat(lines).contains("2 objects, 2.0KiB in total", "1 object, 3.0MiB in total (1 pinned by tasks)",
                "1 object, 0B in total (1 pending)");
    }

    @Test
    void aLimitedListSaysHowManyItLeftOutAndTheSummariesStillCountThemAll() {
        List<String> lines = print(LIST, "--limit 2");

        assertThat(lines.stream().filter(l -> l.startsWith("p-") || l.startsWith("t-"))).hasSize(2);
        assertThat(lines).contains("4 objects, 3.0MiB in total (1 pinned by tasks, 1 pending); 2 shown");
        assertThat(lines).contains("Showing 2 of 4 objects: 2 more left out (the smallest); --limit N shows more,"
                + " --stats-only only the summaries.");
    }

    @Test
    void statsOnlyHasTheSummariesAndTheStoreButNoRows() {
        List<String> lines = print(LIST, "--stats-only");

        assertThat(lines).noneMatch(l -> l.startsWith("OBJECT_ID") || l.startsWith("p-"));
        assertThat(lines).contains("4 objects, 3.0MiB in total (1 pinned by tasks, 1 pending)", "--- object store ---");
        assertThat(String.join("\n", lines)).doesNotContain("left out");
    }

    @Test
    void withoutAStoreTheNodeSaysSoAndStillCountsItsInlineObjects() {
        List<String> lines = print(LIST, "");

        int store = lines.indexOf("--- object store ---");
        assertThat(lines.subList(store + 1, lines.size())).containsExactly(
                "  object store: not running on this node",
                "  inline           2 objects, 2.0KiB (in the node manager's heap)");
    }

    @Test
    void theStoreBlockShowsUseSpillsRestoresThroughputAndWaitingWriters() {
        ObjectList list = LIST.toBuilder().setStore(ObjectStoreStats.newBuilder()
                .setCapacityBytes(1L << 30).setUsedBytes(256L << 20).setObjects(3)
                .setSpilledBytes(200L << 20).setSpilledObjects(4).setSpillNanos(2_000_000_000L).setSpilledBytesNow(50L << 20)
                .setRestoredBytes(10L << 20).setRestoredObjects(1).setWaitingWriters(2).setArenaIdleBytes(64L << 20).setArenaWarmBytes(256L << 20)
                .setDirectory("/dev/shm/sonde-1").setSpillDirectory("/tmp/sonde/spill")).build();

        List<String> lines = print(list, "--stats-only");

        int store = lines.indexOf("--- object store ---");
        assertThat(lines.subList(store + 1, lines.size())).containsExactly(
                "  used             256.0MiB of 1.0GiB (25.0%)",
                "  shared memory    3 objects",
                "  arena idle       64.0MiB (pages freed objects left in memory for the next writer; past the first"
                        + " 256.0MiB they go back after 10 s idle, all when the node's memory is short)",
                "  inline           2 objects, 2.0KiB (in the node manager's heap)",
                "  spilled          200.0MiB in 4 objects since the node started, 50.0MiB on disk now, written at 100.0 MiB/s",
                "  restored         10.0MiB in 1 object",
                "  waiting writers  2 (puts waiting for room in the store)",
                "  directory        /dev/shm/sonde-1",
                "  spill directory  /tmp/sonde/spill");
    }

    @Test
    void anObjectSeveralTasksTakeSaysHowManyInOneWord() {
        ObjectList list = ObjectList.newBuilder().addObjects(object("p-shared-arg", 100, "inline", "", 3)).build();

        assertThat(print(list, "")).anyMatch(l -> l.startsWith("p-shared-arg ") && l.contains(" PINNED_BY_TASK(3) "));
    }

    @Test
    void anEmptyNodeSaysItKeepsNothing() {
        assertThat(print(ObjectList.getDefaultInstance(), "")).contains("The node keeps no objects.");
    }

    @Test
    void wrongOptionsSayWhatIsTaken() {
        assertThatThrownBy(() -> MemoryOptions.parse("--group-by pid")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'pid' is not a choice of --group-by: take node or stack")
                .hasMessageContaining(MemoryOptions.SYNOPSIS);
        assertThatThrownBy(() -> MemoryOptions.parse("--limit 0")).hasMessageContaining("--limit must be 1 or more, got 0");
        assertThatThrownBy(() -> MemoryOptions.parse("--colour")).hasMessageContaining("--colour");
        assertThat(MemoryOptions.parse("--group-by Stack").groupBy()).isEqualTo(MemoryOptions.GroupBy.STACK);
    }

    @Test
    void aRightAlignedColumnPadsOnTheLeftHeaderIncluded() {
        StringWriter text = new StringWriter();
        new Table("ID", "SIZE", "WHERE").alignRight("SIZE").row("a", "512B", "x").row("b", "1.5KiB", "y")
                .print(new PrintWriter(text));

        assertThat(text.toString().lines()).containsExactly(
                "ID    SIZE  WHERE",
                "a     512B  x",
                "b   1.5KiB  y");
    }
}
