package io.sonde.debugger;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Java in a stopped frame of a compiled program, on real worker JVMs: expressions the evaluator
 * cannot read are compiled with javac and run in the worker (lambdas, new, varargs, anonymous
 * classes, switch, text blocks, the class's private members), statements write locals back,
 * {@code display} and {@code watch}, and javac's errors with a caret.
 */
class CompiledExpressionsTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
    static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);

    static final Duration ATTACH = Duration.ofSeconds(10);
    private static final int OFFSET = 100;

    /** A class of the task's with a private field and a private method. */
    static final class Tally {
        private int total;
        private final List<Integer> seen = new ArrayList<>();

        private int twice(int v) {
            return 2 * v;
        }

        int add(int n) {
            int before = total;
            Sonde.breakpoint();
            total = before + n;
            seen.add(n);
            return total;
        }
    }

    private static String label(int n) {
        return "n" + n;
    }

    static int compute(int n) {
        List<Integer> list = new ArrayList<>(List.of(1, 2, 3));
        String word = "sonde";
        int x = n;
        Sonde.breakpoint();
        return x + list.size();
    }

    static int counts(int n) {
        Tally t = new Tally();
        for (int i = 1; i <= n; i++) {
            t.add(i);
        }
        return t.total;
    }

    static int scan(int n) {
        List<Integer> seen = new ArrayList<>();
        int total = 0;
        for (int i = 1; i <= n; i++) {
            seen.add(i);
            total += i; // LINE_SCAN
        }
        return total;
    }

    @org.junit.jupiter.api.AfterEach
    void clearHooks() {
        breakpoints.updateHooks(io.sonde.debugger.proto.DebugHooksUpdate.newBuilder().setRemoveAllLines(true).build());
    }

    @Test
    void aConditionWithALambdaStopsOnlyOnTheHitWhereItHoldsInTheWorkersAgentAndInTheSession() {
        int line = ClusterBreakpointsTest.lineOf("CompiledExpressionsTest.java", "LINE_SCAN");
        // the worker's own agent compiles the condition (once) and stops the task where it holds
        breakpoints.updateHooks(io.sonde.debugger.proto.DebugHooksUpdate.newBuilder().addAddLines(
                io.sonde.debugger.proto.LineBreakpoint.newBuilder().setFile("CompiledExpressionsTest.java").setLine(line)
                        .setCondition("seen.stream().filter(v -> v % 2 == 0).count() == 2")).build());
        ObjectRef<Integer> r = Sonde.task(CompiledExpressionsTest::scan, 8).name("scan").remote();
        BreakpointInfo b = breakpoints.await("scan");
        assertThat(b.getLine()).isEqualTo(line);
        assertThat(b.getException()).doesNotContain("failed");
        breakpoints.updateHooks(io.sonde.debugger.proto.DebugHooksUpdate.newBuilder().setRemoveAllLines(true).build());
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.evaluate("i")).isEqualTo("4");
            // the session's own breakpoint, with a lambda in its condition: the next hit where it holds is i == 7
            s.addBreakpoint("CompiledExpressionsTest.java:" + line, "seen.stream().anyMatch(v -> v > 6)");
            DebugSession.StepResult hit = s.proceed();
            assertThat(hit.stopped()).as(hit.message()).isTrue();
            assertThat(hit.message()).doesNotContain("failed");
            assertThat(s.evaluate("i")).isEqualTo("7");
            s.clearBreakpoints();
            s.resume();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(36);
        breakpoints.awaitNone("scan");
    }

    @Test
    void everyFormOfJavaEvaluatesInTheFrameAndExecWritesALocalTheTaskThenUses() {
        ObjectRef<Integer> r = Sonde.task(CompiledExpressionsTest::compute, 5).name("compute").remote();
        BreakpointInfo b = breakpoints.await("compute");
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            // the fast path: names, fields and calls, nothing compiled
            assertThat(s.evaluateVerbose("x").path()).startsWith("fast path");
            assertThat(s.evaluate("word.length()")).isEqualTo("5");

            for (int i = 0; i < 3; i++) {
                long a = System.nanoTime();
                s.evaluate("x");
                long m = System.nanoTime();
                s.evaluate("word.length()");
                long z = System.nanoTime();
                System.out.println("[figures] p x " + (m - a) / 1_000 + " us, p word.length() " + (z - m) / 1_000 + " us");
            }
            long t0 = System.nanoTime();
            DebugSession.Evaluation stream = s.evaluateVerbose("list.stream().map(v -> v * 2).toList()");
            long t1 = System.nanoTime();
            s.evaluate("list.stream().map(v -> v * 2).toList()");
            long t2 = System.nanoTime();
            s.evaluate("list.stream().map(v -> v * 3).toList()");
            long t3 = System.nanoTime();
            System.out.println("[figures] compiled: first in this JVM " + (t1 - t0) / 1_000_000 + " ms, repeated "
                    + (t2 - t1) / 1_000_000 + " ms, another " + (t3 - t2) / 1_000_000 + " ms");
            assertThat(stream.value()).isEqualTo("[2, 4, 6]");
            assertThat(stream.path()).startsWith("compiled path: javac compiled it");
            assertThat(s.evaluateVerbose("list.stream().map(v -> v * 2).toList()").path())
                    .startsWith("compiled path: javac compiled it earlier");
            assertThat(s.evaluate("new ArrayList<>(list)")).isEqualTo("[1, 2, 3]");
            assertThat(s.evaluate("String.format(\"%s-%d\", \"x\", x)")).isEqualTo("\"x-5\"");
            assertThat(s.evaluate("list.stream().mapToInt(Integer::intValue).sum()")).isEqualTo("6");
            assertThat(s.evaluate("new Object() { public String toString() { return word + x; } }.toString()"))
                    .isEqualTo("\"sonde5\"");
            assertThat(s.evaluate("switch (x) { case 5 -> \"five\"; default -> \"other\"; }")).isEqualTo("\"five\"");
            assertThat(s.evaluate("\"\"\"\n    a\n    b\"\"\".lines().count()")).isEqualTo("2");
            assertThat(s.evaluate("Collections.max(list, Comparator.naturalOrder())")).isEqualTo("3");
            // the class's own private static method, by its simple name, as in the method's code
            assertThat(s.evaluate("label(x) + OFFSET")).isEqualTo("\"n5100\"");
            assertThat(s.evaluate("java.util.stream.IntStream.rangeClosed(1, x).boxed().collect(Collectors.toList())"))
                    .isEqualTo("[1, 2, 3, 4, 5]");

            // exec: a local and an object change, and the task's result shows both
            assertThat(s.execute("x = x + 10; list.add(4);")).isEqualTo("x = 15");
            assertThat(s.evaluate("x")).isEqualTo("15");
            // a statement that throws: the exception, and the task stays stopped
            assertThatThrownBy(() -> s.execute("list.get(99);")).isInstanceOf(DebugException.class)
                    .hasMessageContaining("IndexOutOfBoundsException");
            assertThat(s.evaluate("list.size()")).isEqualTo("4");

            // a compile error reads as javac's, a caret under the place
            assertThatThrownBy(() -> s.evaluate("list.stream().map(v -> v.nosuch()).toList()"))
                    .isInstanceOf(DebugException.class)
                    .hasMessageContaining("error: cannot find symbol\n    list.stream().map(v -> v.nosuch()).toList()\n"
                            + "                            ^");
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(15 + 4);
        breakpoints.awaitNone("compute");
    }

    @Test
    void privateMembersOfThisDisplayAtTwoStopsAndWatchStopsAtTheWrite() {
        ObjectRef<Integer> r = Sonde.task(CompiledExpressionsTest::counts, 2).name("counts").remote();
        BreakpointInfo b = breakpoints.await("counts");
        try (DebugSession s = DebugSession.attach(breakpoints, b, ATTACH)) {
            assertThat(s.frame().method()).isEqualTo("add");
            // this's private field and method, by simple name and through this, in a lambda
            assertThat(s.evaluate("seen.stream().map(v -> v * 2).toList()")).isEqualTo("[]");
            assertThat(s.evaluate("this.twice(n) + total")).isEqualTo("2");
            assertThat(s.execute("total = 100;")).isEqualTo("(done; no local changed)");
            assertThat(s.evaluate("total")).isEqualTo("100");

            assertThat(s.addDisplay("seen.stream().mapToInt(v -> v).sum()")).isEqualTo(1);
            assertThat(s.displays()).containsExactly("1: seen.stream().mapToInt(v -> v).sum() = 0");
            assertThat(s.watch("total")).isEqualTo("Tally.total");

            DebugSession.StepResult w = s.proceed();
            assertThat(w.stopped()).as(w.message()).isTrue();
            assertThat(w.message()).isEqualTo("Watchpoint Tally.total is written: 100 -> 1");
            assertThat(w.frame().method()).isEqualTo("add");
            assertThat(s.displays()).containsExactly("1: seen.stream().mapToInt(v -> v).sum() = 0");

            // the second stop: the next add() reaches Sonde.breakpoint(); the display shows the first add's element
            w = s.proceed();
            assertThat(w.message()).isEqualTo("The task called Sonde.breakpoint() again and waits there.");
            assertThat(s.displays()).containsExactly("1: seen.stream().mapToInt(v -> v).sum() = 1");
            w = s.proceed();
            assertThat(w.message()).isEqualTo("Watchpoint Tally.total is written: 1 -> 3");
            s.resume();
        }
        assertThat(Sonde.get(r, Duration.ofSeconds(20))).isEqualTo(3);
    }
}
