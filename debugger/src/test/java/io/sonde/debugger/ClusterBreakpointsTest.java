package io.sonde.debugger;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.debugger.plugin.StopReasons;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.LineBreakpoint;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Breakpoints set from the debugger rather than in code (a line with a condition, a caught
 * exception class), and {@code remote} and {@code get}, on real worker JVMs: each worker's own
 * agent stops the task, the stop is listed, a session attaches to it.
 */
class ClusterBreakpointsTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
    static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);

    static final Duration ATTACH = Duration.ofSeconds(10);

    static int accumulate(int n) {
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += i; // LINE_ACCUMULATE
        }
        return total;
    }

    static int parse(String s) {
        int base = 10;
        return Integer.parseInt(s, base);
    }

    static int outer(int x) {
        int before = x + 1;
        Sonde.breakpoint();
        ObjectRef<Integer> r = Sonde.task(ClusterBreakpointsTest::inner, before).name("inner").remote();
        int got = Sonde.get(r);
        return got + 1;
    }

    static int inner(int y) {
        int squared = y * y;
        return squared;
    }

    static int lineOf(String marker) {
        return lineOf("ClusterBreakpointsTest.java", marker);
    }

    /** The line of this package's test source {@code file} that ends with the comment {@code // marker}. */
    static int lineOf(String file, String marker) {
        try {
            java.util.List<String> lines = java.nio.file.Files.readAllLines(
                    java.nio.file.Path.of("src/test/java/io/sonde/debugger", file));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("// " + marker)) {
                    return i + 1;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException(marker);
    }

    @AfterEach
    void clearHooks() {
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().setRemoveAllLines(true).setRemoveAllCatches(true).build());
    }

    @Test
    void aLineBreakpointSetBeforeAnyTaskStopsTheTaskWhereItsConditionHolds() {
        int line = lineOf("LINE_ACCUMULATE");
        DebugHooks h = breakpoints.updateHooks(DebugHooksUpdate.newBuilder().addAddLines(LineBreakpoint.newBuilder()
                .setFile("ClusterBreakpointsTest.java").setLine(line).setCondition("i == 3")).build());
        assertThat(h.getLinesList()).hasSize(1);

        ObjectRef<Integer> r = Sonde.task(ClusterBreakpointsTest::accumulate, 10).name("accumulate").remote();
        BreakpointInfo b = breakpoints.await("accumulate");
        assertThat(StopReasons.word(b.getReason())).isEqualTo("line");
        assertThat(b.getFile()).isEqualTo("ClusterBreakpointsTest.java");
        assertThat(b.getLine()).isEqualTo(line);

        DebugSession s = DebugSession.attach(breakpoints, b, ATTACH);
        assertThat(s.frame().method()).isEqualTo("accumulate");
        assertThat(s.frame().line()).isEqualTo(line);
        assertThat(s.evaluate("i")).isEqualTo("3");
        assertThat(s.evaluate("total")).isEqualTo("3"); // 0 + 1 + 2
        s.step(DebugSession.Step.OVER);
        assertThat(s.evaluate("total")).isEqualTo("6");

        // the breakpoint is still set: clear it, then let the task finish
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().setRemoveAllLines(true).build());
        s.resume();
        assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(45);
        breakpoints.awaitNone("accumulate");
    }

    @Test
    void whileAttachedContinueStopsAtTheNextHitAndTheNextTaskStopsAgain() {
        int line = lineOf("LINE_ACCUMULATE");
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().addAddLines(LineBreakpoint.newBuilder()
                .setFile("ClusterBreakpointsTest").setLine(line).setCondition("i % 2 == 1")).build());
        ObjectRef<Integer> r = Sonde.task(ClusterBreakpointsTest::accumulate, 4).name("odd").remote();
        BreakpointInfo b = breakpoints.await("odd");
        DebugSession s = DebugSession.attach(breakpoints, b, ATTACH);
        assertThat(s.evaluate("i")).isEqualTo("1");
        s.addBreakpoint("ClusterBreakpointsTest.java:" + line, "i % 2 == 1"); // as the console does on attach
        DebugSession.StepResult next = s.proceed();
        assertThat(next.stopped()).isTrue();
        assertThat(s.evaluate("i")).isEqualTo("3");
        assertThat(s.proceed().stopped()).isFalse(); // the loop ends: the task goes on, detached
        assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(6);

        // the next task, on the same worker or another, stops again at the breakpoint
        ObjectRef<Integer> again = Sonde.task(ClusterBreakpointsTest::accumulate, 2).name("again").remote();
        BreakpointInfo b2 = breakpoints.await("again");
        DebugSession s2 = DebugSession.attach(breakpoints, b2, ATTACH);
        assertThat(s2.evaluate("i")).isEqualTo("1");
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().setRemoveAllLines(true).build());
        s2.resume();
        assertThat(Sonde.get(again, Duration.ofSeconds(30))).isEqualTo(1);
    }

    @Test
    void catchStopsWhereTheExceptionIsThrownAndContinueLetsItFail() {
        breakpoints.updateHooks(DebugHooksUpdate.newBuilder().addAddCatches("java.lang.NumberFormatException").build());
        ObjectRef<Integer> r = Sonde.task(ClusterBreakpointsTest::parse, "x1").name("parse").remote();
        BreakpointInfo b = breakpoints.await("parse");
        assertThat(StopReasons.word(b.getReason())).isEqualTo("exception");
        assertThat(b.getException()).startsWith("java.lang.NumberFormatException: For input string: \"x1\"");
        assertThat(b.getMethod()).isEqualTo("parse");

        DebugSession s = DebugSession.attach(breakpoints, b, ATTACH);
        assertThat(s.frame().method()).isEqualTo("parse"); // the JDK's frames are hidden
        assertThat(s.evaluate("base")).isEqualTo("10");
        assertThat(s.evaluate("s")).isEqualTo("\"x1\"");
        s.resume();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sonde.get(r, Duration.ofSeconds(30)))
                .isInstanceOf(io.sonde.TaskException.class).hasRootCauseInstanceOf(NumberFormatException.class);
    }

    @Test
    void remoteStopsAtTheFirstLineOfTheNextSubmittedTaskAndGetStopsItsCallerAfterGet() {
        ObjectRef<Integer> r = Sonde.task(ClusterBreakpointsTest::outer, 2).name("outer").remote();
        BreakpointInfo b = breakpoints.await("outer");
        DebugSession s = DebugSession.attach(breakpoints, b, ATTACH);
        s.remote();

        BreakpointInfo entry = breakpoints.await(x -> StopReasons.word(x.getReason()).equals("remote"));
        assertThat(entry.getTaskName()).isEqualTo("inner");
        assertThat(entry.getParentTaskId()).isEqualTo(b.getTaskId());
        DebugSession in = DebugSession.attach(breakpoints, entry, ATTACH);
        assertThat(in.frame().method()).isEqualTo("inner");
        assertThat(in.locals()).extracting(DebugSession.Variable::name).contains("y");
        assertThat(in.evaluate("y")).isEqualTo("3");

        in.returnToCaller();
        BreakpointInfo got = breakpoints.await(x -> StopReasons.word(x.getReason()).equals("get"));
        assertThat(got.getTaskName()).isEqualTo("outer");
        assertThat(got.getAwaitedTaskId()).isEqualTo(entry.getTaskId());
        assertThat(got.getMethod()).isEqualTo("outer");
        DebugSession back = DebugSession.attach(breakpoints, got, ATTACH);
        assertThat(back.frame().method()).isEqualTo("outer");
        assertThat(back.evaluate("before")).isEqualTo("3");
        back.resume();
        assertThat(Sonde.get(r, Duration.ofSeconds(30))).isEqualTo(10);
    }
}
