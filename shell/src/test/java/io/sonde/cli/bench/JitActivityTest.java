package io.sonde.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class JitActivityTest {
    @TempDir
    Path dir;

    private Path stat(String name, long utime, long stime) throws IOException {
        // the fields of /proc/PID/task/TID/stat up to stime; comm may hold spaces and parentheses
        Path f = Files.createTempFile(dir, "stat", "");
        Files.writeString(f, "4242 (" + name + ") S 1 4242 4242 0 -1 4194368 120 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 1 0 100 0 0\n");
        return f;
    }

    @Test
    void onlyTheCompilerThreadsTimeCounts() throws IOException {
        assertThat(JitActivity.compilerTicks(stat("C2 CompilerThre", 150, 7))).isEqualTo(157);
        assertThat(JitActivity.compilerTicks(stat("C1 CompilerThre", 3, 0))).isEqualTo(3);
        assertThat(JitActivity.compilerTicks(stat("main", 900, 100))).isZero();
        assertThat(JitActivity.compilerTicks(stat("a (C2 CompilerThre)", 900, 100))).isZero();
        assertThat(JitActivity.compilerTicks(dir.resolve("gone"))).as("a thread that ended").isZero();
    }

    @Test
    void thisJvmsCompilersAreReadOnLinux() {
        OptionalLong first = JitActivity.compilerCpuNanos();
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            assertThat(first).isEmpty();
            return;
        }
        assertThat(first).isPresent();
        assertThat(JitActivity.compilerCpuNanos().getAsLong()).isGreaterThanOrEqualTo(first.getAsLong());
    }
}
