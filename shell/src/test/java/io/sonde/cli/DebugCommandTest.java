package io.sonde.cli;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.debugger.DebugConsole;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.tooling.HostedNode;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code sonde debug} driven through piped input, as a person pipes a session into it. */
class DebugCommandTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    static int square(int x) {
        int y = x * x;
        String word = "abc";
        Sonde.breakpoint();
        int z = y + word.length();
        return z;
    }

    static int cube(int x) {
        int y = x * x;
        int z = y * x; // CUBE_LINE
        return z;
    }

    private static int cubeLine() throws IOException {
        List<String> lines = java.nio.file.Files.readAllLines(Path.of("src/test/java/io/sonde/cli/DebugCommandTest.java"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith("// CUBE_LINE")) {
                return i + 1;
            }
        }
        throw new IllegalStateException("no CUBE_LINE");
    }

    private static BreakpointInfo awaitOnlyBreakpoint(String taskName) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<BreakpointInfo> all = DebugNodePlugin.of(cluster.hostedNode()).listBreakpoints();
            return all.size() == 1 && all.get(0).getTaskName().equals(taskName);
        });
        return DebugNodePlugin.of(cluster.hostedNode()).listBreakpoints().get(0);
    }

    /**
     * {@code sonde debug} as a real child process, stdin piped, against this test's embedded node
     * over gRPC.
     */
    @Test
    void sondeDebugWithPipedInputAsAChildProcess() throws Exception {
        ObjectRef<Integer> r = Sonde.task(DebugCommandTest::square, 4).name("cli").remote();
        BreakpointInfo b = awaitOnlyBreakpoint("cli");
        Process p = startSondeDebug();
        StringBuffer out = new StringBuffer();
        Thread reader = pipe(p, out);
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
                .containsPattern("0\\s+\\d\\d:\\d\\d:\\d\\d\\s+cli\\s+DebugCommandTest\\.java:" + b.getLine())
                .contains("Stopped at DebugCommandTest.square (DebugCommandTest.java:" + b.getLine() + ")")
                .contains("=> " + (b.getLine() + 1) + "          int z = y + word.length();")
                .contains("(sdb) locals\nx = 4\ny = 16\nword = \"abc\"\nz = 19")
                .contains("(sdb) print x\nx = 4")
                .contains("Task cli goes on.");
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(19);
    }

    /**
     * A line breakpoint typed into {@code sonde debug} before any task runs: set in the cluster
     * over gRPC, it stops the one task whose condition holds, which the same session then attaches to.
     */
    @Test
    void aLineBreakpointTypedIntoSondeDebugStopsTheTaskWhoseConditionHolds() throws Exception {
        int line = cubeLine();
        Process p = startSondeDebug();
        StringBuffer out = new StringBuffer();
        Thread reader = pipe(p, out);
        try {
            try (OutputStream stdin = p.getOutputStream()) {
                awaitOutput(p, out, DebugConsole.LIST_PROMPT, 1);
                send(p, stdin, out, "break DebugCommandTest.java:" + line + " if x == 3", DebugConsole.LIST_PROMPT, 2);
                assertThat(Sonde.get(Sonde.task(DebugCommandTest::cube, 2).name("two").remote(), Duration.ofSeconds(30)))
                        .isEqualTo(8); // the condition is false for x == 2: no stop
                ObjectRef<Integer> three = Sonde.task(DebugCommandTest::cube, 3).name("three").remote();
                awaitOnlyBreakpoint("three");
                send(p, stdin, out, "", DebugConsole.LIST_PROMPT, 3);
                send(p, stdin, out, "0", DebugConsole.PROMPT, 1);
                stdin.write("print y\nwhere\nclear\ncontinue\nquit\n".getBytes(StandardCharsets.UTF_8));
                stdin.flush();
                assertThat(Sonde.get(three, Duration.ofSeconds(30))).isEqualTo(27);
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("sonde debug exits").isTrue();
            reader.join(10_000);
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(out.toString()).isZero();
        assertThat(out.toString()).as(out.toString())
                .contains("Breakpoint #1  DebugCommandTest.java:" + line + "  if x == 3: a task that reaches it stops and is listed here; in job ")
                .containsPattern("0\\s+\\d\\d:\\d\\d:\\d\\d\\s+three\\s+DebugCommandTest\\.java:" + line
                        + "\\s+127\\.0\\.0\\.1\\s+\\d+\\s+break")
                .contains("Stopped at DebugCommandTest.cube (DebugCommandTest.java:" + line + ") at a line breakpoint.")
                .contains("(sdb) print y\ny = 9")
                .contains("Removed all line breakpoints.");
        assertThat(DebugNodePlugin.of(cluster.hostedNode()).updateDebugHooks(
                io.sonde.debugger.proto.DebugHooksUpdate.getDefaultInstance()).getLinesList()).isEmpty();
    }

    /**
     * {@code sonde debug --jdwp-port}, as an IDE uses it: a plain JDI client attaches to the
     * listener with JDI's own socket connector, sets a breakpoint on the line after
     * {@code Sonde.breakpoint()}, and once Enter lets the task go on, stops there and reads its
     * locals. Must not be lost: the task's result, and the stop the IDE asked for.
     */
    @Test
    void anIdeAttachesThroughJdwpPortAndStopsTheTaskWhereItAsked() throws Exception {
        ObjectRef<Integer> r = Sonde.task(DebugCommandTest::square, 5).name("ide").remote();
        BreakpointInfo b = awaitOnlyBreakpoint("ide");
        Process p = startSondeDebug("--jdwp-port", "0");
        StringBuffer out = new StringBuffer();
        Thread reader = pipe(p, out);
        try (OutputStream stdin = p.getOutputStream()) {
            awaitOutput(p, out, DebugConsole.LIST_PROMPT, 1);
            send(p, stdin, out, "0", DebugConsole.RELAY_PROMPT, 1);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Listening on 127\\.0\\.0\\.1:(\\d+) ").matcher(out);
            assertThat(m.find()).as(out.toString()).isTrue();
            int port = Integer.parseInt(m.group(1));

            com.sun.jdi.connect.AttachingConnector socket = com.sun.jdi.Bootstrap.virtualMachineManager().attachingConnectors()
                    .stream().filter(c -> c.name().equals("com.sun.jdi.SocketAttach")).findFirst().orElseThrow();
            java.util.Map<String, com.sun.jdi.connect.Connector.Argument> args = socket.defaultArguments();
            args.get("hostname").setValue("localhost");
            args.get("port").setValue(Integer.toString(port));
            com.sun.jdi.VirtualMachine vm = socket.attach(args);
            try {
                assertThat(vm.allThreads()).as("the worker's threads").isNotEmpty();
                com.sun.jdi.ReferenceType type = vm.classesByName(DebugCommandTest.class.getName()).get(0);
                com.sun.jdi.request.BreakpointRequest request = vm.eventRequestManager()
                        .createBreakpointRequest(type.locationsOfLine(b.getLine() + 1).get(0));
                request.setSuspendPolicy(com.sun.jdi.request.EventRequest.SUSPEND_EVENT_THREAD);
                request.enable();
                awaitOutput(p, out, "A debugger connected from 127.0.0.1:", 1);
                send(p, stdin, out, "", "Task ide goes on", 1);

                com.sun.jdi.event.BreakpointEvent hit = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (hit == null && System.currentTimeMillis() < deadline) {
                    com.sun.jdi.event.EventSet set = vm.eventQueue().remove(1000);
                    if (set != null) {
                        for (com.sun.jdi.event.Event e : set) {
                            if (e instanceof com.sun.jdi.event.BreakpointEvent be) {
                                hit = be;
                            }
                        }
                        if (hit == null) {
                            set.resume();
                        }
                    }
                }
                assertThat(hit).as("the IDE's breakpoint stopped the task; sonde debug said:\n" + out).isNotNull();
                com.sun.jdi.StackFrame frame = hit.thread().frame(0);
                assertThat(frame.location().lineNumber()).isEqualTo(b.getLine() + 1);
                assertThat(frame.getValue(frame.visibleVariableByName("y")).toString()).isEqualTo("25");
                assertThat(frame.getValue(frame.visibleVariableByName("x")).toString()).isEqualTo("5");
                hit.thread().resume();
            } finally {
                vm.dispose();
            }
            awaitOutput(p, out, "The debugger detached; the JDWP listener is closed.", 1);
            assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(28);
            send(p, stdin, out, "", DebugConsole.LIST_PROMPT, 2);
            stdin.write("quit\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("sonde debug exits").isTrue();
            reader.join(10_000);
            assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close()).as("the listener is closed")
                    .isInstanceOf(java.net.ConnectException.class);
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(out.toString()).isZero();
    }

    /**
     * {@code sonde debug} as a real child process, stdin piped, against this test's embedded node
     * over gRPC.
     */
    private static Process startSondeDebug(String... more) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.sonde.cli.SondeMain", "debug",
                "--address", cluster.address(), "--sourcepath", "src/test/java"));
        cmd.addAll(List.of(more));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("SONDE_ADDRESS");
        // another process, with another session root: it gets the cluster's token as a user on another
        // account would
        pb.environment().put("SONDE_AUTH_TOKEN_PATH", cluster.node().sessionDir().resolve("auth_token").toString());
        return pb.start();
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
}
