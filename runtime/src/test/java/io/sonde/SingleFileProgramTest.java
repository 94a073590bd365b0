package io.sonde;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A program run as {@code java -cp <sonde> Main.java} has its classes only in the driver's memory:
 * workers fetch them (lambdas, method refs, records) from the driver.
 */
class SingleFileProgramTest {
    @Test
    void classesDefinedOnlyInTheDriversMemoryReachTheWorkers(@TempDir Path dir) throws Exception {
        Path main = dir.resolve("Main.java");
        Files.writeString(main, String.join("\n",
                "import io.sonde.*;",
                "public class Main {",
                "    record Point(int x, int y) implements java.io.Serializable {}",
                "    static int twice(int x) { return 2 * x; }",
                "    public static void main(String[] a) {",
                "        Sonde.init();",
                "        System.out.println(\"twice \" + Sonde.get(Sonde.task(Main::twice, 21).remote()));",
                "        System.out.println(\"point \" + Sonde.get(Sonde.task((Integer k) -> new Point(k, k + 1), 1).remote()));",
                "        Sonde.get(Sonde.task(() -> { System.out.println(\"hi\"); return 0; }).name(\"greeter\").remote());",
                "        Sonde.shutdown();",
                "    }",
                "}"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        List<String> lines = List.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        assertThat(lines).contains("twice 42", "point Point[x=1, y=2]");
        assertThat(lines).anyMatch(l -> l.matches("\\(greeter pid=\\d+\\) hi"));
        assertThat(p.exitValue()).isZero();
    }
}
