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
 * A driver whose heap cannot take a task's result in. The result travels through the object
 * store, so the node manager never holds it; the driver runs out of memory copying it into its
 * heap, and must say so (which value, how large, what to do), at once and without a retry, not
 * throw a bare OutOfMemoryError (nor, as before the store, read "worker crashed with exit code 0"
 * after four attempts).
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
                .contains("FAILED io.sonde.OutOfMemoryException: the result of task big")
                .contains("(160.0 MiB) does not fit in this process's heap")
                .contains("ran out of memory")
                .contains("-Xmx")
                .contains("not retried")
                .doesNotContain("exit code 0")
                .doesNotContain("attempt 3");
    }
}
