package io.sonde.cli;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sonde profile <pid>} of a plain JVM of this machine, a child of this test that is no Sonde
 * worker: async-profiler goes in through the JDK Attach API.
 */
class AttachProfileTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(1);

    /** The child JVM: says it started, then burns CPU in {@link #churn} until it is killed. */
    public static final class Spinner {
        static volatile double sink;

        public static void main(String[] args) {
            System.out.println("spinning");
            System.out.flush();
            churn();
        }

        static void churn() {
            for (long r = 0; ; r++) {
                double s = 0;
                for (int i = 0; i < 10_000; i++) {
                    s += Math.sqrt(i + r);
                }
                sink = s;
            }
        }
    }

    @Test
    void aPlainJvmIsProfiledThroughTheAttachApiAndItsBusyMethodIsNamed() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(List.of(javaCommand, "-cp", System.getProperty("java.class.path"),
                Spinner.class.getName())).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(lines.readLine()).isEqualTo("spinning");

            Cli.Run run = Cli.sonde("profile", Long.toString(child.pid()), "--event", "cpu", "--duration", "1s",
                    "--address", cluster.address());

            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out()).contains("Profiling pid " + child.pid() + " (").contains(") for 1s: ")
                    .contains("It is not a Sonde worker (no worker of the cluster at " + cluster.address() + " has that"
                            + " pid): async-profiler is loaded into it through the JDK Attach API.")
                    .containsPattern("Top frames \\((cpu|ctimer|itimer), [\\d,]+ samples\\):");
            String firstRow = run.out().lines().dropWhile(l -> !l.contains("samples  frame")).skip(1).findFirst().orElse("");
            assertThat(firstRow).as(run.out()).endsWith("AttachProfileTest$Spinner.churn");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Flame graph: (\\S+)").matcher(run.out());
            assertThat(m.find()).as(run.out()).isTrue();
            Path html = Path.of(m.group(1));
            try {
                assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("churn");
            } finally {
                Files.deleteIfExists(html);
            }
            assertThat(child.isAlive()).as("the profiled JVM goes on").isTrue();
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPidOfNoProcessIsRefusedWithWhereToLook() {
        Cli.Run run = Cli.sonde("profile", "999999999", "--event", "cpu", "--duration", "1s",
                "--address", cluster.address());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("pid 999999999 is not a Sonde worker of the cluster at " + cluster.address())
                .contains("`sonde list workers`");
    }
}
