package io.sonde.debugger;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.internal.SondeRuntime;
import io.sonde.internal.proto.BreakpointInfo;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The text interface: the breakpoint list, the (sdb) prompt and its commands, fed by piped input. */
class DebugConsoleTest extends ClusterFixture {
    static int square(int x) {
        int y = x * x;
        String word = "abc";
        Sonde.breakpoint();
        int z = y + word.length();
        return z;
    }

    /** Lets go of whatever a failed test left parked, so that the next test starts with an empty list. */
    @org.junit.jupiter.api.AfterEach
    void releaseLeftovers() {
        for (BreakpointInfo b : breakpoints()) {
            try (DebugSession s = DebugSession.attach(b, Duration.ofSeconds(10))) {
                s.resume();
            } catch (DebugException ignored) {
                // it went on meanwhile
            }
        }
    }

    private static String transcript(String input) {
        StringWriter out = new StringWriter();
        DebugOptions options = DebugOptions.defaults().withEchoInput(true);
        new DebugConsole(BREAKPOINTS, new BufferedReader(new StringReader(input)), new PrintWriter(out, true), options).run();
        return out.toString();
    }

    @Test
    void listAttachLookStepContinueAndQuit() {
        ObjectRef<Integer> r = Sonde.task(DebugConsoleTest::square, 6).name("square").remote();
        BreakpointInfo b = awaitOnlyBreakpoint("square");
        String out = transcript(String.join("\n", "", "0", "where", "locals", "print x * 2 + y", "p word.length()",
                "bogus", "next", "", "locals", "threads", "up", "continue", "locals", "quit", ""));
        System.out.println(out);
        assertThat(out).as(out)
                .containsPattern("index\\s+time\\s+task\\s+file:line\\s+node\\s+pid")
                .containsPattern("0\\s+\\d\\d:\\d\\d:\\d\\d\\s+square\\s+DebugConsoleTest\\.java:" + b.getLine()
                        + "\\s+127\\.0\\.0\\.1\\s+" + b.getPid())
                .contains("Stopped at DebugConsoleTest.square (DebugConsoleTest.java:" + b.getLine() + ")")
                .contains("=> " + b.getLine() + "          Sonde.breakpoint();")
                .contains("(sdb) where\n=> #0  DebugConsoleTest.square (DebugConsoleTest.java:" + b.getLine() + ")\n")
                .contains("(sdb) locals\nx = 6\ny = 36\nword = \"abc\"\n")
                .contains("x * 2 + y = 48")
                .contains("word.length() = 3")
                .contains("Unknown command `bogus`; type help for the list.")
                .contains("(sdb) next\nDebugConsoleTest.square (DebugConsoleTest.java:" + (b.getLine() + 1) + ")\n=> "
                        + (b.getLine() + 1) + "          int z = y + word.length();")
                // an empty line repeats next
                .contains("(sdb) \nDebugConsoleTest.square (DebugConsoleTest.java:" + (b.getLine() + 2) + ")")
                .contains("z = 39")
                .containsPattern("\\* sonde-task\\s+running, stopped by the debugger")
                .contains("Already at the outermost frame of the task.")
                .contains("Task square goes on.")
                .contains("`locals` needs an attached task: enter a breakpoint index first.")
                .contains("No active breakpoints");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(39);
    }

    @Test
    void endOfInputWhileAttachedLetsTheTaskGoOn() {
        ObjectRef<Integer> r = Sonde.task(DebugConsoleTest::square, 2).name("eof").remote();
        awaitOnlyBreakpoint("eof");
        String out = transcript("0\nhelp\nprint x\n");
        assertThat(out).as(out).contains("where (bt)").contains("print EXPR (p)").contains("[stopped]").contains("x = 2");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(7);
        awaitNoBreakpoint("eof");
    }

    @Test
    void anUnknownIndexAndAMissingSourceAreExplained() {
        ObjectRef<Integer> r = Sonde.task(DebugConsoleTest::square, 3).name("nosource").remote();
        awaitOnlyBreakpoint("nosource");
        StringWriter out = new StringWriter();
        DebugOptions options = DebugOptions.defaults().withEchoInput(true).withSourcepath(List.of(Path.of("no-such-dir")));
        new DebugConsole(BREAKPOINTS, new BufferedReader(new StringReader("7\n0\nlist\ndetach\nquit\n")),
                new PrintWriter(out, true), options).run();
        assertThat(out.toString()).as(out.toString())
                .contains("There is no breakpoint 7; the indexes are 0 to 0.")
                .contains("(source not found: io.sonde.debugger.DebugConsoleTest line ")
                .contains("DebugConsoleTest.java is not under no-such-dir - pass --sourcepath)")
                .contains("Detached from nosource (pid ");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(12);
    }

    /**
     * {@code sonde debug} as a real child process, stdin piped, against this test's embedded node
     * over gRPC. Needs the shell module built (its classes and runtime classpath under
     * {@code ../shell/target}); skipped otherwise, as in a first build where the shell is compiled
     * after this module.
     */
    @Test
    void sondeDebugWithPipedInputAsAChildProcess() throws Exception {
        Path shell = Path.of("..", "shell", "target").toAbsolutePath().normalize();
        Path shellClasses = shell.resolve("classes");
        Path shellClasspath = shell.resolve("runtime-classpath.txt");
        assumeTrue(Files.isRegularFile(shellClasses.resolve("io/sonde/shell/DebugCommand.class"))
                && Files.isRegularFile(shellClasspath), "the shell module is not built");

        ObjectRef<Integer> r = Sonde.task(DebugConsoleTest::square, 4).name("cli").remote();
        BreakpointInfo b = awaitOnlyBreakpoint("cli");
        String classpath = String.join(File.pathSeparator, System.getProperty("java.class.path"), shellClasses.toString(),
                Files.readString(shellClasspath).trim());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, "io.sonde.shell.SondeMain", "debug",
                "--address", SondeRuntime.embeddedNode().address(), "--sourcepath", "src/test/java"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("SONDE_ADDRESS");
        Process p = pb.start();
        StringBuffer out = new StringBuffer();
        Thread reader = pipe(p, out);
        if (!awaitListOrExit(p, out) && out.toString().contains("no answer within the deadline")) {
            // The CLI probes the cluster with a 3 s deadline that includes its cold gRPC start; on a
            // loaded machine that can pass. Not what this test is about: once more.
            System.out.println("sonde debug's cluster probe timed out; retrying once:\n" + out);
            p = pb.start();
            out = new StringBuffer();
            reader = pipe(p, out);
        }
        try {
            try (OutputStream stdin = p.getOutputStream()) {
                // Typed one line at a time, each after the prompt it answers, to time what a person waits for.
                awaitOutput(p, out, DebugConsole.LIST_PROMPT, 1);
                long attachMs = send(p, stdin, out, "0", DebugConsole.PROMPT, 1);
                long leaveParkMs = send(p, stdin, out, "next", DebugConsole.PROMPT, 2);
                long stepMs = send(p, stdin, out, "next", DebugConsole.PROMPT, 3);
                System.out.println("[figures] sonde debug (fresh JVM): attach -> first prompt " + attachMs
                        + " ms, first next " + leaveParkMs + " ms, next " + stepMs + " ms");
                stdin.write("locals\nprint x\ncontinue\nquit\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("sonde debug exits").isTrue();
            reader.join(10_000);
        } finally {
            p.destroyForcibly();
        }
        System.out.println(out);
        assertThat(p.exitValue()).as(out.toString()).isZero();
        assertThat(out.toString()).as(out.toString())
                .containsPattern("0\\s+\\d\\d:\\d\\d:\\d\\d\\s+cli\\s+DebugConsoleTest\\.java:" + b.getLine())
                .contains("Stopped at DebugConsoleTest.square (DebugConsoleTest.java:" + b.getLine() + ")")
                .contains("=> " + (b.getLine() + 1) + "          int z = y + word.length();")
                .contains("(sdb) locals\nx = 4\ny = 16\nword = \"abc\"\nz = 19")
                .contains("(sdb) print x\nx = 4")
                .contains("Task cli goes on.");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(19);
    }

    /** Copies the child's output into {@code out} on a thread of its own. */
    private static Thread pipe(Process p, StringBuffer out) {
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
        reader.start();
        return reader;
    }

    /** Waits for the first list prompt; false if the child exited first. */
    private static boolean awaitListOrExit(Process p, StringBuffer out) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.toString().contains(DebugConsole.LIST_PROMPT) && System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                Thread.sleep(200);
                return out.toString().contains(DebugConsole.LIST_PROMPT);
            }
            Thread.sleep(1);
        }
        return true;
    }

    /** Sends a line and returns the ms until the {@code n}th {@code prompt} shows. */
    private static long send(Process p, OutputStream stdin, StringBuffer out, String line, String prompt, int n)
            throws IOException {
        long t0 = System.nanoTime();
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        awaitOutput(p, out, prompt, n);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Waits for the {@code n}th {@code text} in the child's output; fails with the output if the child exits first. */
    private static void awaitOutput(Process p, StringBuffer out, String text, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count(out.toString(), text) < n) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                try {
                    Thread.sleep(200); // the rest of its output
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // the shell module is being rebuilt under us: the same unmet precondition as not built
                assumeTrue(!out.toString().contains("NoClassDefFoundError: io/sonde/shell/"),
                        "the shell module's classes are incomplete (being rebuilt)");
                throw new AssertionError((p.isAlive() ? "no " : "sonde debug exited before ") + text.trim()
                        + " (#" + n + "); its output:\n" + out);
            }
            Thread.onSpinWait();
        }
    }

    private static int count(String s, String text) {
        int c = 0;
        for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
            c++;
        }
        return c;
    }

    @Test
    void theSourceLocatorMarksTheLineAndReadsTheSourcePath() throws IOException {
        assertThat(SourceLocator.parse(null)).isEqualTo(SourceLocator.defaultRoots());
        assertThat(SourceLocator.parse("a" + File.pathSeparator + "b")).containsExactly(Path.of("a"), Path.of("b"));
        assertThat(SourceLocator.render(List.of("one", "two", "three"), 1, 3, 2))
                .isEqualTo("   1  one\n=> 2  two\n   3  three\n");
        SourceLocator l = new SourceLocator(SourceLocator.defaultRoots());
        assertThat(l.find("io/sonde/debugger/DebugConsoleTest.java", "DebugConsoleTest.java")).isPresent();
        assertThat(l.find(null, "pom.xml")).contains(Path.of("./pom.xml"));
    }
}
