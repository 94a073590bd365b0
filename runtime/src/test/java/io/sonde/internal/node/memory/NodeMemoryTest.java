package io.sonde.internal.node.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the node's memory comes from: a budget, a cgroup (v2, v1) with a limit, or the machine. */
class NodeMemoryTest {
    @TempDir
    Path dir;

    private Path write(String relative, String content) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    @Test
    void aBudgetIsTheCapacityAndTheWorkersAreTheUse() {
        NodeMemory m = NodeMemory.detect(1L << 30);
        assertThat(m.total()).isEqualTo(1L << 30);
        assertThat(m.used(123)).isEqualTo(123);
        assertThat(m.source()).contains("budget of 1.00 GiB");
    }

    @Test
    void aBudgetCountsTheObjectStoresSharedMemoryWhichNoWorkerOwns() {
        NodeMemory m = NodeMemory.detect(1L << 30);
        assertThat(m.used(100, 50)).isEqualTo(150);
        assertThat(m.source()).contains("object store");
    }

    @Test
    void cgroupV2WithALimitIsReadFromTheProcessesOwnGroup() throws IOException {
        Path self = write("proc-self-cgroup", "0::/sonde.slice/node\n");
        write("cg/sonde.slice/node/memory.max", "2147483648\n");
        write("cg/sonde.slice/node/memory.current", "1073741824\n");
        NodeMemory m = NodeMemory.cgroup(dir.resolve("cg"), self).orElseThrow();
        assertThat(m.total()).isEqualTo(2L << 30);
        assertThat(m.used(0)).isEqualTo(1L << 30);
        assertThat(m.used(0, 1L << 20)).as("the cgroup charged the store's pages already").isEqualTo(1L << 30);
        assertThat(m.source()).startsWith("cgroup v2");
    }

    @Test
    void cgroupV2WithoutALimitIsNotAMemorySource() throws IOException {
        Path self = write("proc-self-cgroup", "0::/\n");
        write("cg/memory.max", "max\n");
        write("cg/memory.current", "5\n");
        assertThat(NodeMemory.cgroup(dir.resolve("cg"), self)).isEmpty();
    }

    @Test
    void cgroupV1WithALimitIsRead() throws IOException {
        Path self = write("proc-self-cgroup", "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n");
        write("cg/memory/docker/abc/memory.limit_in_bytes", "536870912\n");
        write("cg/memory/docker/abc/memory.usage_in_bytes", "268435456\n");
        NodeMemory m = NodeMemory.cgroup(dir.resolve("cg"), self).orElseThrow();
        assertThat(m.total()).isEqualTo(512L << 20);
        assertThat(m.used(0)).isEqualTo(256L << 20);
        assertThat(m.source()).startsWith("cgroup v1");
    }

    @Test
    void cgroupV1WithoutALimitIsNotAMemorySource() throws IOException {
        Path self = write("proc-self-cgroup", "4:memory:/\n");
        write("cg/memory/memory.limit_in_bytes", "9223372036854771712\n");
        write("cg/memory/memory.usage_in_bytes", "1\n");
        assertThat(NodeMemory.cgroup(dir.resolve("cg"), self)).isEmpty();
    }

    @Test
    void theMachineIsTotalMinusAvailable() throws IOException {
        Path meminfo = write("meminfo", "MemTotal:       16000000 kB\nMemFree:         1000 kB\n"
                + "MemAvailable:    4000000 kB\n");
        NodeMemory m = new NodeMemory.Machine(meminfo);
        assertThat(m.total()).isEqualTo(16_000_000L * 1024);
        assertThat(m.used(0)).isEqualTo(12_000_000L * 1024);
    }

    @Test
    void theWorkerHeapCeilingIsTheThresholdOfTheNodeAndNeverTiny() {
        assertThat(NodeMemory.detect(1L << 30).workerHeapCeiling(0.95)).isEqualTo((long) ((1L << 30) * 0.95));
        assertThat(NodeMemory.detect(10L << 20).workerHeapCeiling(0.95)).isEqualTo(64L << 20);
    }

    @Test
    void processMemoryIsResidentMinusShared() {
        ProcessMemory m = ProcessMemory.parseStatm(7, "1000 300 100 1 0 200 0\n");
        assertThat(m.rss()).isEqualTo(300 * 4096L);
        assertThat(m.owned()).isEqualTo(200 * 4096L);
        assertThat(ProcessMemory.read(ProcessHandle.current().pid())).get()
                .satisfies(self -> assertThat(self.rss()).isGreaterThan(self.owned()).isPositive());
        assertThat(ProcessMemory.read(dir, 42)).isEmpty();
    }

    @Test
    void settingsComeFromPropertiesThenEnvironmentAndBadValuesSayWhatTheyTake() {
        assertThat(MemorySettings.from(k -> null, k -> null)).isEqualTo(new MemorySettings(250, 0.95));
        assertThat(MemorySettings.from(k -> null, k -> k.equals(MemorySettings.REFRESH_ENV) ? "0" : "0.8"))
                .isEqualTo(new MemorySettings(0, 0.8));
        assertThat(MemorySettings.from(k -> null, k -> k.equals(MemorySettings.REFRESH_ENV) ? "0" : null).enabled())
                .isFalse();
        assertThatThrownBy(() -> MemorySettings.from(k -> null, k -> k.equals(MemorySettings.THRESHOLD_ENV) ? "95%" : null))
                .hasMessage("SONDE_MEMORY_USAGE_THRESHOLD must be a fraction such as 0.9, got \"95%\"");
        assertThatThrownBy(() -> MemorySettings.from(k -> null, k -> k.equals(MemorySettings.THRESHOLD_ENV) ? "1.5" : null))
                .hasMessageContaining("at most 1");
        assertThatThrownBy(() -> MemorySettings.from(k -> null, k -> k.equals(MemorySettings.REFRESH_ENV) ? "fast" : null))
                .hasMessageContaining("SONDE_MEMORY_MONITOR_REFRESH_MS must be a whole number of milliseconds");
    }

    @Test
    void theSummaryLineCountsBothKinds() {
        assertThat(MemoryMonitor.summaryLine(3, 0)).isEqualTo("3 workers killed due to memory pressure (OOM),"
                + " 0 workers crashed due to other reasons in the last 10 s");
        assertThat(MemoryMonitor.summaryLine(1, 1)).startsWith("1 worker killed").contains("1 worker crashed");
    }
}
