package io.sonde.internal.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogPrefixTest {

    private static final String CYAN = "\u001B[36m";
    private static final String MAGENTA = "\u001B[35m";
    private static final String GREEN = "\u001B[32m";
    private static final String RESET = "\u001B[0m";

    private final LogPrefix plain = new LogPrefix(false);
    private final LogPrefix coloured = new LogPrefix(true);

    private static LogLine line(String taskName, long pid, String node, boolean stderr) {
        return new LogLine("w1", taskName, pid, node, stderr, "hello");
    }

    @Test
    void prefixShowsTaskNameAndPid() {
        assertThat(plain.prefix(line("square", 1234, null, false))).isEqualTo("(square pid=1234)");
    }

    @Test
    void prefixShowsOnlyPidWhenTaskNameIsUnknown() {
        assertThat(plain.prefix(line(null, 1234, null, false))).isEqualTo("(pid=1234)");
        assertThat(plain.prefix(line("", 1234, null, false))).isEqualTo("(pid=1234)");
    }

    @Test
    void prefixShowsNodeOnlyForRemoteWorkers() {
        assertThat(plain.prefix(line("Counter", 1234, null, false))).isEqualTo("(Counter pid=1234)");
        assertThat(plain.prefix(line("Counter", 1234, "", false))).isEqualTo("(Counter pid=1234)");
        assertThat(plain.prefix(line("Counter", 1234, "10.0.0.3", false)))
                .isEqualTo("(Counter pid=1234, node=10.0.0.3)");
    }

    @Test
    void formatJoinsPrefixAndTextWithOneSpace() {
        assertThat(plain.format(line("square", 1234, null, false)))
                .isEqualTo("(square pid=1234) hello");
    }

    @Test
    void colourOnlyWhenRequested() {
        LogLine line = line("square", 1236, null, false);

        assertThat(plain.format(line)).isEqualTo("(square pid=1236) hello");
        assertThat(coloured.format(line)).isEqualTo(CYAN + "(square pid=1236)" + RESET + " hello");
    }

    @Test
    void colourIsStablePerPidAndDiffersForNeighbouringPids() {
        assertThat(coloured.prefix(line("square", 1236, null, false)))
                .isEqualTo(CYAN + "(square pid=1236)" + RESET);
        assertThat(coloured.prefix(line("Counter", 1236, "10.0.0.3", false)))
                .isEqualTo(CYAN + "(Counter pid=1236, node=10.0.0.3)" + RESET);
        assertThat(coloured.prefix(line("square", 1237, null, false)))
                .isEqualTo(MAGENTA + "(square pid=1237)" + RESET);
    }

    @Test
    void stderrLinesKeepTheSamePrefix() {
        assertThat(plain.format(line("square", 1234, null, true))).isEqualTo("(square pid=1234) hello");
        assertThat(coloured.prefix(line("square", 1236, null, true)))
                .isEqualTo(coloured.prefix(line("square", 1236, null, false)));
    }

    @Test
    void repeatedSuffixIsColouredOnlyWhenRequested() {
        assertThat(plain.repeatedSuffix(3)).isEqualTo(" [repeated 3x across cluster]");
        assertThat(coloured.repeatedSuffix(3))
                .isEqualTo(GREEN + " [repeated 3x across cluster]" + RESET);
    }
}
