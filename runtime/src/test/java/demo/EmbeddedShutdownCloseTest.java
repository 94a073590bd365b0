package demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static demo.Lifetimes.read;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A driver that runs its own cluster: {@code Sonde.shutdown()} stops the node, which first ends
 * its alive actors as terminate() would, so their close() has run when the shutdown returns.
 */
class EmbeddedShutdownCloseTest {
    @TempDir
    Path dir;

    @Test
    void theShutdownOfADriversOwnClusterClosesItsActorsFirst() throws Exception {
        String journal = dir.resolve("embedded").toString();
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsonde.root=" + dir.resolve("root"), "-cp", System.getProperty("java.class.path"),
                LifetimeActors.class.getName(), "-", "embedded", journal)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("embedded actor answered 1");
        assertThat(read(journal)).as("closed before the driver's shutdown returned; " + out)
                .isEqualTo("closed after 1\n");
    }
}
