package io.sonde.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sonde classpath} run the way the {@code sonde} script runs it (a JVM on the shell's classes
 * plus the classpath file the build writes), and its output used as a user would: to compile and
 * run a program that starts an embedded cluster.
 */
class ClasspathCommandTest {
    private static final String MAIN = """
            import io.sonde.Sonde;

            public class Main {
                public static void main(String[] args) {
                    Sonde.init();
                    int answer = Sonde.get(Sonde.task(() -> 6 * 7).remote());
                    System.out.println("answer=" + answer);
                    Sonde.shutdown();
                }
            }
            """;

    @TempDir
    static Path dir;

    private static String classpath;

    @BeforeAll
    static void printClasspath() throws Exception {
        Path classes = Path.of(SondeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String dependencies = Files.readString(Path.of(System.getProperty("sonde.classpathFile"))).trim();
        Result r = run(List.of(java(), "-cp", classes + File.pathSeparator + dependencies,
                SondeMain.class.getName(), "classpath"), dir);
        assertThat(r.exitCode()).as(r.output()).isZero();
        classpath = r.output().trim();
        Files.writeString(dir.resolve("Main.java"), MAIN);
    }

    @Test
    void printsOnlyTheRuntimeAndItsDependenciesAsExistingAbsolutePaths() throws Exception {
        List<String> entries = Arrays.asList(classpath.split(File.pathSeparator));
        Path shellClasses = Path.of(SondeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        assertThat(entries).anyMatch(e -> e.contains("sonde-runtime") || e.endsWith("runtime/target/classes"));
        assertThat(entries).anyMatch(e -> e.contains("grpc-netty-shaded"));
        assertThat(entries).noneMatch(e -> e.contains("picocli"));
        assertThat(entries).doesNotContain(shellClasses.toString());
        assertThat(entries).allSatisfy(e -> {
            assertThat(Path.of(e)).isAbsolute();
            assertThat(Path.of(e)).exists();
        });
    }

    @Test
    void aCompiledProgramRunsATaskWithThePrintedClasspath() throws Exception {
        Path out = dir.resolve("out");
        int javac = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-cp", classpath, "-d", out.toString(), dir.resolve("Main.java").toString());
        assertThat(javac).isZero();

        Result r = run(List.of(java(), "-cp", out + File.pathSeparator + classpath, "Main"), dir);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("answer=42");
    }

    @Test
    void aSingleFileProgramRunsATaskWithThePrintedClasspath() throws Exception {
        Result r = run(List.of(java(), "-cp", classpath, "Main.java"), dir);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("answer=42");
    }

    private record Result(int exitCode, String output) {
    }

    /** A child JVM with a private TMPDIR (its embedded cluster's sessions) and no SONDE_ADDRESS. */
    private static Result run(List<String> command, Path workDir) throws IOException, InterruptedException {
        Path tmp = Files.createDirectories(workDir.resolve("tmp"));
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().remove("SONDE_ADDRESS");
        pb.environment().put("TMPDIR", tmp.toString());
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
