package io.sonde;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A driver whose heap cannot take a task's result in: the embedded node manager runs out of
 * memory receiving it, drops the worker's connection, and the worker exits with code 0. That
 * used to read "worker crashed with exit code 0" after four attempts; it must say that the
 * driver ran out of memory, at once.
 */
class DriverOutOfMemoryTest {
    private static final String PROGRAM = String.join("\n",
            "import io.sonde.*;",
            "public class Big {",
            "    public static void main(String[] args) {",
            "        Sonde.init();",
            "        try {",
            "            byte[] b = Sonde.get(Sonde.task(() -> new byte[160 << 20]).name(\"big\").remote());",
            "            System.out.println(\"got \" + b.length);",
            "        } catch (SondeException e) {",
            "            System.out.println(\"FAILED \" + e.getClass().getName() + \": \" + e.getMessage());",
            "        }",
            "        Sonde.shutdown();",
            "    }",
            "}");

    @Test
    void aResultTooLargeForTheDriversHeapSaysTheDriverRanOutOfMemoryWithoutRetries(@TempDir Path dir) throws Exception {
        Path program = Files.writeString(dir.resolve("Big.java"), PROGRAM);
        Path log = dir.resolve("driver.log");
        Process driver = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-cp", System.getProperty("java.class.path"), program.toString()))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!driver.waitFor(180, TimeUnit.SECONDS)) {
            driver.destroyForcibly();
            fail("the driver did not end within 180 s; its output:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(out).as(out)
                .contains("FAILED io.sonde.OutOfMemoryException: task big")
                .contains("its result of 160.0 MiB never arrived")
                .contains("ran out of memory")
                .contains("not retried")
                .doesNotContain("exit code 0")
                .doesNotContain("attempt 3");
    }
}
