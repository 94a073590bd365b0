package io.sonde.internal.cluster;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The node's check of {@code ulimit -n} at start: when it warns, what it says, and that a real node says it. */
class FdLimitTest {
    private static final List<String> LIMITS = List.of(
            "Limit                     Soft Limit           Hard Limit           Units",
            "Max cpu time              unlimited            unlimited            seconds",
            "Max open files            1024                 4096                 files",
            "Max locked memory         8388608              8388608              bytes");

    @Test
    void readsTheSoftAndHardLimitOfOpenFiles() {
        assertThat(FdLimit.parse(LIMITS)).containsExactly(1024, 4096);
        assertThat(FdLimit.parse(List.of("Max open files            unlimited            unlimited            files")))
                .containsExactly(-1, -1);
        assertThat(FdLimit.parse(List.of("Limit  Soft Limit  Hard Limit  Units"))).isNull();
    }

    @Test
    void theCommonDefaultOf1024WarnsWithHowManyWorkersFitAndTheFix() {
        assertThat(FdLimit.warning(1024, 4096, 48)).hasValueSatisfying(w -> assertThat(w)
                .startsWith("the limit of open files (`ulimit -n`) is 1024: with 48 open now, this node can hold about 180"
                        + " workers")
                .contains("`ulimit -n 65536`")
                .contains("Its hard limit (`ulimit -Hn`) is 4096, too low for that")
                .contains("/etc/security/limits.conf"));
        assertThat(FdLimit.warning(1024, -1, 48)).hasValueSatisfying(w -> assertThat(w)
                .contains("If that fails, check the hard limit with `ulimit -Hn`."));
    }

    @Test
    void aLimitThatHoldsAThousandWorkersOrNoLimitSaysNothing() {
        assertThat(FdLimit.warning(65536, 65536, 100)).isEmpty();
        assertThat(FdLimit.warning(-1, -1, 100)).isEmpty();
        long justEnough = FdLimit.RESERVE + 100 + (long) FdLimit.PER_WORKER * FdLimit.ENOUGH_WORKERS;
        assertThat(FdLimit.warning(justEnough, -1, 100)).isEmpty();
        assertThat(FdLimit.warning(justEnough - 1, -1, 100)).isPresent();
    }

    /** A real embedded node, in a JVM started under {@code ulimit -n 1024}: it says so on stderr as it starts. */
    @Test
    void aNodeStartedUnderALowLimitSaysSo() throws Exception {
        Path dir = Files.createTempDirectory("sonde-fdlimit");
        try {
            Path probe = dir.resolve("Probe.java");
            Files.writeString(probe, """
                    public class Probe {
                        public static void main(String[] args) {
                            io.sonde.Sonde.init();
                            io.sonde.Sonde.shutdown();
                            System.out.println("STARTED");
                        }
                    }
                    """);
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", "ulimit -n 1024 && exec \"$0\" -cp \"$1\" \"$2\"",
                    java, classpath, probe.toString()).redirectErrorStream(true);
            pb.environment().remove("XDG_RUNTIME_DIR");
            pb.environment().put("TMPDIR", dir.toString()); // its session files go here, and with it
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out).as(out).contains("STARTED")
                    .containsPattern("sonde node \\S+: the limit of open files \\(`ulimit -n`\\) is 1024: with \\d+ open"
                            + " now, this node can hold about \\d+ workers");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
