package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store that is full with objects that cannot be spilled (here, the spill directory cannot be
 * created) refuses the next put with an ObjectStoreFullException that says how much is in use, by
 * which objects, where they were created, and to run `sonde memory`. The driver is a process of
 * its own, started with SONDE_RECORD_REF_CREATION_SITES=1 as a user would.
 */
class ObjectStoreFullTest {
    private static final long MIB = 1 << 20;
    private static final Path SPILL = tempDir();

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(1).objectStoreMemory(8 * MIB)
            .objectSpillingDirectory(SPILL);

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("sonde-full-store");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aPutIntoAFullStoreThatCannotSpillSaysWhatFillsItAndWhereItWasCreated() throws Exception {
        // the node spills into <dir>/sonde-<node id>: a file there makes every spill fail
        Files.writeString(SPILL.resolve("sonde-" + cluster.nodeManager().config().nodeId()), "not a directory");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), demo.FullStoreDriver.class.getName(), cluster.address())
                .redirectErrorStream(true);
        pb.environment().put("SONDE_RECORD_REF_CREATION_SITES", "1");
        pb.environment().put("SONDE_AUTH_TOKEN_PATH",
                cluster.nodeManager().config().sessionDir().resolve("auth_token").toString());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(out).as(out).contains("kept 2: the object store is full: 6.0 MiB of 8.0 MiB in use by 2 objects")
                .contains("none of which can be spilled, and 3.0 MiB more were asked for")
                .contains("They cannot be spilled because spilling object")
                .contains("Where the largest were created: ")
                .contains(" at demo.FullStoreDriver.main(FullStoreDriver.java:")
                .contains("Run `sonde memory` to see who holds them.");
    }
}
