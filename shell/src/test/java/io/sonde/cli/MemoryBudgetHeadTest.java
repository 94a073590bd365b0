package io.sonde.cli;

import io.sonde.cli.table.Units;
import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code sonde start --head --memory BYTES}: the node takes the budget as its memory (what
 * {@code sonde status} shows and admission counts against); a size it cannot read is refused
 * before anything starts, with the forms it takes.
 */
class MemoryBudgetHeadTest {
    @RegisterExtension
    static final SondeRoot root = SondeRoot.temporary();

    @Test
    void aHeadStartedWithAMemoryBudgetShowsItAsTheNodesMemory() throws Exception {
        Cli.Run start = Cli.sonde("start", "--head", "--port", "0", "--memory", "1536m");
        String address = null;
        try {
            assertThat(start.exitCode()).as(start.toString()).isZero();
            address = Files.readString(root.resolve("head_address")).trim();
            Cli.Run status = Cli.sonde("status");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out()).as(status.toString()).containsPattern("Memory +\\S+/1\\.5GiB");

            // the monitor's view: the node's use against the budget, and its processes
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Cli.Run memory = Cli.sonde("status", "--memory");
                assertThat(memory.exitCode()).as(memory.toString()).isZero();
                assertThat(memory.out()).as(memory.toString())
                        .containsPattern("In use +\\S+/1\\.5GiB \\(0\\.\\d\\d\\); the monitor kills a worker above 0\\.95")
                        .contains("Measured   by its budget of 1.50 GiB (--memory)")
                        .contains("Killed     0 workers for memory since the node started")
                        .containsPattern("PID +RSS +RES-SHR +PROCESS")
                        .containsPattern("\\d+ +\\S+ +\\S+ +node manager");
            });
            Cli.Run top = Cli.sonde("top", "-n", "2", "--interval", "0.2");
            assertThat(top.exitCode()).as(top.toString()).isZero();
            assertThat(top.out().split("sonde top - ", -1)).as(top.toString()).hasSize(3);
            assertThat(top.out()).contains("node manager");
            Cli.Run never = Cli.sonde("top", "-n", "0");
            assertThat(never.exitCode()).isEqualTo(2);
            assertThat(never.err()).contains("-n must be 1 or more, got 0; leave it out to run until Ctrl-C.");
        } finally {
            Cli.Run stop = address == null ? null : Cli.sonde("stop");
            if (stop != null) {
                assertThat(stop.exitCode()).as(stop.toString()).isZero();
            }
        }
    }

    @Test
    void aSizeThatCannotBeReadIsRefusedWithTheFormsItTakes() {
        Cli.Run start = Cli.sonde("start", "--head", "--port", "0", "--memory", "lots");
        assertThat(start.exitCode()).isEqualTo(2);
        assertThat(start.err()).contains("--memory: \"lots\" is not a size: write bytes (1073741824) or a number with"
                + " a binary unit (512m, 512MiB, 1g, 1GiB).");
        assertThat(root.resolve("head_address")).doesNotExist();
    }

    @Test
    void sizesAreReadInBinaryUnits() {
        assertThat(Units.parseBytes("1073741824")).isEqualTo(1L << 30);
        assertThat(Units.parseBytes("1g")).isEqualTo(1L << 30);
        assertThat(Units.parseBytes("1GiB")).isEqualTo(1L << 30);
        assertThat(Units.parseBytes("512 MiB")).isEqualTo(512L << 20);
        assertThat(Units.parseBytes("1.5g")).isEqualTo(3L << 29);
        assertThat(Units.parseBytes("64k")).isEqualTo(64L << 10);
        assertThatThrownBy(() -> Units.parseBytes("-1g")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> Units.parseBytes("1x")).hasMessageContaining("is not a size");
    }
}
