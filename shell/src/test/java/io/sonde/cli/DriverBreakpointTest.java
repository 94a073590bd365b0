package io.sonde.cli;

import io.sonde.debugger.BreakpointSource;
import io.sonde.debugger.DebugSession;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code Sonde.breakpoint()} in a driver: {@code sonde run} of a program, in a JVM of its own with
 * the JDWP agent the {@code sonde} script gives it, stops the program's main thread; the node lists
 * the stop as the driver's, a debugger attaches to the driver's JVM through the node and sees the
 * line and its locals, and {@code continue} lets the program finish. A worker's print made while
 * the driver waits shows only after it goes on.
 */
class DriverBreakpointTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    /** The options the sonde script gives the JVM of `sonde run`. */
    private static final List<String> AGENT = List.of(
            "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0,quiet=y",
            "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");

    private static final String PROGRAM = """
            import io.sonde.ObjectRef;
            import io.sonde.Sonde;
            import java.nio.file.Files;
            import java.nio.file.Path;

            public class Main {
                static String hello(String dir) {
                    try {
                        while (!Files.exists(Path.of(dir, "go"))) {
                            Thread.sleep(20);
                        }
                        System.out.println("worker says hello");
                        System.out.flush();
                        Files.writeString(Path.of(dir, "printed"), "yes");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    return "hi";
                }

                public static void main(String[] args) {
                    int answer = 41;
                    String word = "abc";
                    ObjectRef<String> r = Sonde.task(Main::hello, args[0]).name("hello").remote();
                    Sonde.breakpoint();
                    answer++;
                    System.out.println("result " + Sonde.get(r) + " " + answer + " " + word);
                }
            }
            """;

    @TempDir
    Path dir;

    private static int breakpointLine() {
        String[] lines = PROGRAM.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].trim().equals("Sonde.breakpoint();")) {
                return i + 1;
            }
        }
        throw new IllegalStateException("no breakpoint in the program");
    }

    @Test
    void theDriverStopsADebuggerAttachesAndItsWorkersPrintsWaitUntilItGoesOn() throws Exception {
        int line = breakpointLine();
        Process p = sondeRun(AGENT);
        StringBuffer out = pipe(p);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> driverStop(p.pid()).isPresent() || !p.isAlive());
            BreakpointInfo b = driverStop(p.pid()).orElseThrow(() -> new AssertionError("no stop listed; " + out));
            assertThat(b.getTaskName()).isEqualTo("driver");
            assertThat(b.getFile() + ":" + b.getLine()).isEqualTo("Main.java:" + line);
            assertThat(b.getTaskId()).isEmpty();
            java.io.StringWriter table = new java.io.StringWriter();
            io.sonde.debugger.DebugConsole.printBreakpoints(List.of(b), new java.io.PrintWriter(table));
            assertThat(table.toString()).containsPattern("\\n  0 +\\d\\d:\\d\\d:\\d\\d +driver +Main\\.java:" + line
                    + " +127\\.0\\.0\\.1 +" + p.pid() + "\\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("(driver pid=" + p.pid()
                    + ") breakpoint at Main.java:" + line + " \u2014 attach with 'sonde debug' in another terminal"));

            // the task prints now, while the driver waits: the line reaches the driver and is held
            Files.writeString(dir.resolve("go"), "");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("printed")));
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3))
                    .until(() -> !out.toString().contains("worker says hello"));

            try (DebugSession s = DebugSession.attach(BreakpointSource.local(cluster.hostedNode()), b,
                    Duration.ofSeconds(20))) {
                assertThat(s.frame().describe()).isEqualTo("Main.main (Main.java:" + line + ")");
                assertThat(s.frames()).as("the CLI below main is not the user's").hasSize(1);
                assertThat(s.locals()).extracting(v -> v.name() + " = " + v.value())
                        .contains("answer = 41", "word = \"abc\"");
                assertThat(s.proceed().message()).isEqualTo("The driver goes on.");
                assertThat(s.isAttached()).isFalse();
            }
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(out::toString).isTrue();
            assertThat(p.exitValue()).as(out::toString).isZero();
            String all = out.toString();
            assertThat(all).contains("(hello pid=").contains("worker says hello").contains("result hi 42 abc");
            assertThat(all.indexOf("worker says hello")).as(all).isLessThan(all.indexOf("result hi 42 abc"));
            await().atMost(Duration.ofSeconds(10)).until(() -> driverStop(p.pid()).isEmpty());
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * This test's own JVM is a driver without a JDWP agent (Surefire starts it without one): the
     * call says why it does not stop and what to do, and returns.
     */
    @Test
    void aDriverWithoutAJdwpAgentSaysWhyItDoesNotStopAndGoesOn() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.err;
        int line;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
            io.sonde.Sonde.breakpoint();
        } finally {
            System.setErr(before);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("Sonde.breakpoint() at DriverBreakpointTest.java:"
                + line + " in the driver (pid " + ProcessHandle.current().pid() + ") does not stop: this driver's JVM"
                + " has no JDWP agent, and HotSpot cannot load one into a running JVM. Run the program with `sonde run`,"
                + " or start its JVM with -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0,quiet=y"
                + " --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED" + System.lineSeparator());
        assertThat(DebugNodePlugin.of(cluster.hostedNode()).listBreakpoints()).noneMatch(BreakpointInfo::getDriver);

        // and the node relays no debugger to a driver that holds no JDWP connection
        BreakpointInfo asIfListed = BreakpointInfo.newBuilder().setDriver(true).setTaskName("driver").setThreadName("main")
                .setJobId(io.sonde.internal.SondeRuntime.client().info().getJobId())
                .setPid(ProcessHandle.current().pid()).build();
        assertThatThrownBy(() -> DebugSession.attach(BreakpointSource.local(cluster.hostedNode()), asIfListed,
                Duration.ofSeconds(10))).isInstanceOf(io.sonde.debugger.DebugException.class)
                .hasMessageStartingWith("Cannot attach to the driver (pid " + ProcessHandle.current().pid() + "): ")
                .hasMessageContaining("the driver of job " + asIfListed.getJobId() + " is not connected to this node, or"
                        + " its JVM runs without a JDWP agent");
    }

    private static Optional<BreakpointInfo> driverStop(long pid) {
        return DebugNodePlugin.of(cluster.hostedNode()).listBreakpoints().stream()
                .filter(b -> b.getDriver() && b.getPid() == pid).findFirst();
    }

    /** {@code sonde run --address CLUSTER Main.java DIR} in a JVM of its own, with {@code options}. */
    private Process sondeRun(List<String> options) throws IOException {
        Path program = dir.resolve("Main.java");
        Files.writeString(program, PROGRAM);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.sonde.cli.SondeMain", "run",
                "--address", cluster.address(), program.toString(), dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("SONDE_ADDRESS");
        pb.environment().put("SONDE_AUTH_TOKEN_PATH", cluster.node().sessionDir().resolve("auth_token").toString());
        return pb.start();
    }

    private static StringBuffer pipe(Process p) {
        StringBuffer out = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (java.io.Reader in = new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)) {
                int c;
                while ((c = in.read()) >= 0) {
                    out.append((char) c);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return out;
    }
}
