package io.sonde.cli;

import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sonde start --head --num-cpus 0}: a head of no CPUs, as the seed advises for a head that
 * only coordinates. Zero is zero (it once meant all processors); leaving the flag out is all.
 */
class ZeroCpuHeadTest {
    @RegisterExtension
    static final SondeRoot root = SondeRoot.temporary();

    @Test
    void aHeadStartedWithZeroCpusOffersNone() throws Exception {
        Cli.Run start = Cli.sonde("start", "--head", "--port", "0", "--num-cpus", "0");
        String address = null;
        try {
            assertThat(start.exitCode()).as(start.toString()).isZero();
            address = Files.readString(root.resolve("head_address")).trim();
            assertThat(start.out()).containsPattern("Started a Sonde head at " + address + " \\(pid \\d+, 0\\.0 CPUs\\)");
            Cli.Run status = Cli.sonde("status");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out()).as(status.toString()).containsPattern("CPUs +0\\.0/0\\.0");
        } finally {
            Cli.Run stop = address == null ? null : Cli.sonde("stop");
            if (stop != null) {
                assertThat(stop.exitCode()).as(stop.toString()).isZero();
            }
        }
    }

    @Test
    void aNegativeCountIsRefusedWithWhatToDoInstead() {
        Cli.Run start = Cli.sonde("start", "--head", "--port", "0", "--num-cpus", "-1");
        assertThat(start.exitCode()).isEqualTo(2);
        assertThat(start.err()).contains("--num-cpus must be 0 (none) or more, got -1; leave it out for all processors.");
    }
}
