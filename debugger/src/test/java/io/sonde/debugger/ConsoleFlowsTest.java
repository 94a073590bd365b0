package io.sonde.debugger;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console driven line by line while tasks run, as a person at {@code sonde debug} would: a
 * line breakpoint typed before any task exists, and {@code remote} and {@code get} followed to the
 * stops they lead to.
 */
class ConsoleFlowsTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
    static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);

    static int sumTo(int n) {
        int total = 0;
        for (int i = 1; i <= n; i++) {
            total += i; // SUM_LINE
        }
        return total;
    }

    static int caller(int x) {
        int before = x * 10;
        Sonde.breakpoint();
        ObjectRef<Integer> r = Sonde.task(ConsoleFlowsTest::callee, before).name("callee").remote();
        int got = Sonde.get(r);
        return got + before;
    }

    static int callee(int y) {
        int half = y / 2;
        return half;
    }

    static int submitsNothing(int x) {
        Sonde.breakpoint();
        return x + 1;
    }

    static int stopsTwice(int x) {
        Sonde.breakpoint();
        int twice = x * 2;
        Sonde.breakpoint(); // SECOND_STOP
        return Sonde.get(Sonde.task(ConsoleFlowsTest::callee, twice).name("late").remote()) + 1;
    }

    static int sleepsThenReturns(int millis) throws InterruptedException {
        Sonde.breakpoint();
        Thread.sleep(millis);
        return millis;
    }

    /** A console on its own thread, fed one line at a time. */
    private static final class LiveConsole implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final PipedWriter in = new PipedWriter();
        final Thread thread;

        LiveConsole() throws IOException {
            BufferedReader reader = new BufferedReader(new PipedReader(in, 1 << 16));
            DebugConsole console = new DebugConsole(breakpoints, reader, new PrintWriter(out, true),
                    DebugOptions.defaults().withEchoInput(true));
            thread = new Thread(console::run, "test-console");
            thread.start();
        }

        void type(String... lines) {
            try {
                for (String l : lines) {
                    in.write(l + "\n");
                }
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits until the transcript shows {@code text}. */
        void awaitOutput(String text) {
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> out.toString().contains(text));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the console never printed `" + text + "`:\n" + out, e);
            }
        }

        String transcript() {
            return out.toString();
        }

        @Override
        public void close() throws Exception {
            type("quit");
            thread.join(10_000);
            in.close();
        }
    }

    @AfterEach
    void clearHooks() {
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().setRemoveAllLines(true).setRemoveAllCatches(true).build());
    }

    @Test
    void aBreakpointTypedBeforeAnyTaskStopsTheTaskAndTheConsoleAttachesToIt() throws Exception {
        int line = ClusterBreakpointsTest.lineOf("ConsoleFlowsTest.java", "SUM_LINE");
        try (LiveConsole c = new LiveConsole()) {
            c.type("break ConsoleFlowsTest.java:" + line + " if i == 3", "break", "catch IllegalStateException",
                    "break Nope", "clear 99");
            c.awaitOutput("usage: break [--all-jobs] FILE:LINE");
            c.awaitOutput("No breakpoint 99");
            ObjectRef<Integer> r = Sonde.task(ConsoleFlowsTest::sumTo, 4).name("sumTo").remote();
            breakpoints.await("sumTo");
            c.type("", "0", "locals", "print total + 100", "next", "print total", "continue");
            c.awaitOutput("the task goes on and the debugger let it go");
            assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(10);
            String out = c.transcript();
            assertThat(out).as(out)
                    .containsPattern("Breakpoint #\\d+  ConsoleFlowsTest\\.java:" + line
                            + "  if i == 3: a task that reaches it stops and is listed here; in job ")
                    .containsPattern("\n#\\d+  ConsoleFlowsTest\\.java:" + line + "  if i == 3  \\(job ")
                    .contains("Catching java.lang.IllegalStateException")
                    .contains("usage: break [--all-jobs] FILE:LINE [if EXPR]")
                    .containsPattern("0\\s+\\d\\d:\\d\\d:\\d\\d\\s+sumTo\\s+ConsoleFlowsTest\\.java:" + line
                            + "\\s+127\\.0\\.0\\.1\\s+\\d+\\s+break")
                    .contains("Stopped at ConsoleFlowsTest.sumTo (ConsoleFlowsTest.java:" + line + ") at a line breakpoint.")
                    .contains("i = 3")
                    .contains("total + 100 = 103")
                    .contains("(sdb) print total\ntotal = 6")
                    .doesNotContain("Deferring breakpoint");
        }
    }

    @Test
    void remoteFollowsTheSubmittedTaskAndGetComesBackToTheCaller() throws Exception {
        ObjectRef<Integer> r = Sonde.task(ConsoleFlowsTest::caller, 4).name("caller").remote();
        breakpoints.awaitOnly("caller");
        try (LiveConsole c = new LiveConsole()) {
            c.type("0", "print before", "remote");
            c.awaitOutput("the first line of task callee (remote)");
            c.type("where", "print y", "get");
            c.awaitOutput("(get)");
            c.type("print before", "where", "continue");
            c.awaitOutput("Task caller goes on.");
            assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(60);
            String out = c.transcript();
            assertThat(out).as(out)
                    .contains("before = 40")
                    .contains("Waiting for the next task that caller submits to start...")
                    .contains("Stopped at ConsoleFlowsTest.callee (ConsoleFlowsTest.java:")
                    .contains("y = 40")
                    .contains("Waiting for the caller of callee to get its result...")
                    .contains("Stopped at ConsoleFlowsTest.caller (ConsoleFlowsTest.java:")
                    .contains("right after the get of task ");
        }
    }

    @Test
    void remoteInATaskThatSubmitsNothingReturnsToTheListOnceTheTaskHasFinished() throws Exception {
        ObjectRef<Integer> r = Sonde.task(ConsoleFlowsTest::submitsNothing, 4).name("submitsNothing").remote();
        breakpoints.awaitOnly("submitsNothing");
        try (LiveConsole c = new LiveConsole()) {
            c.type("0", "remote");
            c.awaitOutput("Waiting for the next task that submitsNothing submits to start");
            long start = System.nanoTime();
            c.awaitOutput("Task submitsNothing finished without submitting a task; back to the list.");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(5);
            assertThat(c.transcript()).doesNotContain("Nothing stopped within");
        }
    }

    @Test
    void remoteAttachesToASecondBreakpointOfTheSameTaskAndCancelsThePendingSubmitStop() throws Exception {
        int line = ClusterBreakpointsTest.lineOf("ConsoleFlowsTest.java", "SECOND_STOP");
        ObjectRef<Integer> r = Sonde.task(ConsoleFlowsTest::stopsTwice, 5).name("stopsTwice").remote();
        breakpoints.awaitOnly("stopsTwice");
        try (LiveConsole c = new LiveConsole()) {
            c.type("0", "remote");
            c.awaitOutput("Task stopsTwice stopped at ConsoleFlowsTest.java:" + line
                    + " before it submitted a task; attaching to it.");
            c.awaitOutput("(sdb) ");
            c.type("print twice", "continue");
            c.awaitOutput("Task stopsTwice goes on.");
            // the child it submits now runs through: the `remote` left before the second stop is gone
            assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(6);
            String out = c.transcript();
            assertThat(out).as(out)
                    .contains("The pending remote of this task is cancelled: its next submit does not stop")
                    .contains("twice = 10")
                    .doesNotContain("Nothing stopped within");
        }
    }

    @Test
    void ctrlCDuringTheWaitOfRemoteEndsTheWaitAndKeepsTheConsole() throws Exception {
        ObjectRef<Integer> r = Sonde.task(ConsoleFlowsTest::sleepsThenReturns, 8000).name("sleeper").remote();
        breakpoints.awaitOnly("sleeper");
        try (LiveConsole c = new LiveConsole()) {
            c.type("0", "remote");
            c.awaitOutput("Waiting for the next task that sleeper submits to start");
            // as Ctrl-C at the terminal of `sonde debug`: without the console's handler the JVM exits
            sun.misc.Signal.raise(new sun.misc.Signal("INT"));
            c.awaitOutput("Stopped waiting; back to the list.");
            c.type("catch");
            c.awaitOutput("No exceptions are caught");
            assertThat(c.thread.isAlive()).isTrue();
            assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(8000);
        }
    }

    @Test
    void ctrlCDuringACompiledExpressionThatRunsForeverStopsItAndTheTaskStaysStopped() throws Exception {
        ObjectRef<Integer> r = Sonde.task(ConsoleFlowsTest::submitsNothing, 20).name("evaluated").remote();
        breakpoints.awaitOnly("evaluated");
        try (LiveConsole c = new LiveConsole()) {
            c.type("0", "print x + 1");
            c.awaitOutput("x + 1 = 21");
            // a lambda, so compiled; it never ends
            c.type("print java.util.stream.Stream.generate(() -> x).filter(i -> i < 0).findFirst()");
            await("the expression runs").during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                    .until(() -> !c.transcript().contains("interrupted"));
            sun.misc.Signal.raise(new sun.misc.Signal("INT"));
            c.awaitOutput("the evaluation was interrupted (Ctrl-C); the task is still stopped");
            c.type("print x * 3");
            c.awaitOutput("x * 3 = 60");
            c.type("continue");
            assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(21);
            assertThat(c.thread.isAlive()).isTrue();
        }
    }

    @Test
    void aBreakpointInAFileThatIsNowhereIsDeferredWithAWarningAndListedWithItsJob() throws Exception {
        try (LiveConsole c = new LiveConsole()) {
            c.type("break NoFile.java:1", "break --all-jobs NoFile.java:2", "break");
            c.awaitOutput("  NoFile.java:2  (all jobs)");
            String out = c.transcript();
            assertThat(out).as(out)
                    .contains("Deferring breakpoint NoFile.java:1. It will be set after a class of NoFile.java is loaded"
                            + " in a worker; no NoFile.java is on the source path")
                    .containsPattern("`clear \\d+` removes it")
                    .containsPattern("Breakpoint #\\d+  NoFile\\.java:1: a task that reaches it stops and is listed here;"
                            + " in job \\S+, until it ends \\(--all-jobs keeps it for later jobs\\)\\.")
                    .containsPattern("Breakpoint #\\d+  NoFile\\.java:2: a task that reaches it stops and is listed here;"
                            + " in every job, now and later, until it is removed\\.")
                    .containsPattern("\n#\\d+  NoFile\\.java:1  \\(job \\S+\\)\n");
        }
    }
}
