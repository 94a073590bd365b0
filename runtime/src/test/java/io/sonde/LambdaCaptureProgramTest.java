package io.sonde;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compiled program (not the shell) whose lambda captures something that is not serializable:
 * the failure names the captured variable, its type and the lambda's source line, not the
 * lambda's hidden class.
 */
class LambdaCaptureProgramTest {
    private static final List<String> SOURCE = List.of(
            "import io.sonde.*;",
            "public class Main {",
            "    public static void main(String[] a) {",
            "        Sonde.init();",
            "        long k = 3;",
            "        Object lock = new Object();",
            "        try {",
            "            Sonde.task(() -> k + lock.hashCode()).name(\"locked\").remote();",
            "            System.out.println(\"SENT\");",
            "        } catch (SondeException e) {",
            "            System.out.println(\"ERROR \" + e.getMessage());",
            "        }",
            "        Sonde.shutdown();",
            "    }",
            "}");

    @Test
    void programCompiledWithDebugInfoNamesTheCapturedVariableItsTypeAndTheLine(@TempDir Path dir) throws Exception {
        Path main = dir.resolve("Main.java");
        Files.writeString(main, String.join("\n", SOURCE));
        int javac = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-g", "-proc:none",
                "-cp", System.getProperty("java.class.path"), "-d", dir.toString(), main.toString());
        assertThat(javac).isZero();
        String error = run(dir, "-cp", dir + java.io.File.pathSeparator + System.getProperty("java.class.path"), "Main");
        assertThat(error).isEqualTo("ERROR task locked cannot be sent to a worker: the lambda at Main.java:8"
                + " (in Main.main) captures 'lock', a java.lang.Object, which is not Serializable. Create the"
                + " value inside the lambda, capture only the serializable data it needs, or make java.lang.Object"
                + " implement java.io.Serializable");
    }

    @Test
    void singleFileProgramWithoutVariableNamesGivesThePositionTypeAndLine(@TempDir Path dir) throws Exception {
        Path main = dir.resolve("Main.java");
        Files.writeString(main, String.join("\n", SOURCE));
        String error = run(dir, "-cp", System.getProperty("java.class.path"), main.toString());
        assertThat(error)
                .startsWith("ERROR task locked cannot be sent to a worker: the lambda at Main.java:8 (in Main.main)"
                        + " captures a variable at position 2 of its captured values")
                .contains("compile with -g to see it")
                .contains(", a java.lang.Object, which is not Serializable")
                .doesNotContain("$$Lambda");
    }

    /** Runs the program with this JVM's java and returns its ERROR line. */
    private static String run(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        List<String> errors = out.lines().filter(l -> l.startsWith("ERROR ")).toList();
        assertThat(errors).as("the program's output:\n%s", out).hasSize(1);
        return errors.get(0);
    }
}
